/**
 * Replay plan: for each conversation, the provider, wire API, model, client profile and the exact request
 * of every turn with the response the upstream must give.
 */
import {
  modelFamily,
  synthesizeTools,
  toolCallsOf,
  turnsOf,
  type AssistantMessage,
  type Conversation,
  type ToolSpec,
  type Turn,
  type WireApi,
} from './conversation';
import { API_PATHS, buildRequest, type ClientProfile } from './build/request-builder';
import { findPrice, type ReplayPrice } from './pricing';
import { ReplayError } from './replay-error';

export type Provider = 'anthropic' | 'openai';
export const PROVIDERS: readonly Provider[] = ['anthropic', 'openai'];
export type OpenAiApi = 'chat' | 'responses';

export interface PlanOptions {
  readonly provider?: Provider;
  readonly openaiApi?: OpenAiApi;
  readonly client?: ClientProfile;
  readonly model?: string;
  /** The instant whose list prices apply (default: now). */
  readonly priceAt?: Date;
}

export const DEFAULT_MODELS: Readonly<Record<Provider, string>> = {
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4o',
};

export interface PlannedTurn {
  readonly index: number;
  readonly path: string;
  readonly body: string;
  readonly response: AssistantMessage;
}

export interface ConversationPlan {
  readonly conversation: Conversation;
  readonly provider: Provider;
  readonly api: WireApi;
  readonly model: string;
  readonly price: ReplayPrice;
  readonly client: ClientProfile | 'as-recorded';
  /** Raw request logs sent byte for byte. */
  readonly verbatim: boolean;
  readonly tools: readonly ToolSpec[];
  readonly toolSchemas: 'recorded' | 'reconstructed' | 'none';
  readonly turns: readonly Turn[];
  readonly requests: readonly PlannedTurn[];
  readonly notes: readonly string[];
}

function defaultProvider(conversation: Conversation): Provider {
  switch (conversation.format) {
    case 'claude-code':
    case 'raw-anthropic':
      return 'anthropic';
    case 'codex-rollout':
    case 'codex-rollout-legacy':
    case 'raw-openai-chat':
    case 'raw-openai-responses':
      return 'openai';
    default:
      return modelFamily(conversation.model) === 'claude' ? 'anthropic' : 'openai';
  }
}

function recordedApi(conversation: Conversation): WireApi | null {
  return conversation.recordedRequests?.[0]?.api ?? null;
}

export function planConversation(conversation: Conversation, opts: PlanOptions): ConversationPlan {
  const notes = [...conversation.notes];
  const provider = opts.provider ?? defaultProvider(conversation);
  const recorded = recordedApi(conversation);
  const api: WireApi =
    provider === 'anthropic'
      ? 'anthropic'
      : opts.openaiApi === 'chat'
        ? 'openai-chat'
        : opts.openaiApi === 'responses'
          ? 'openai-responses'
          : recorded === 'openai-responses' ||
              conversation.format === 'codex-rollout' ||
              conversation.format === 'codex-rollout-legacy'
            ? 'openai-responses'
            : 'openai-chat';

  const at = opts.priceAt ?? new Date();
  let model = opts.model ?? null;
  if (model !== null && findPrice(provider, model, at) === null) {
    throw new ReplayError(
      'RPL_UNPRICED_MODEL',
      `--model ${model} has no ${provider} list price in the pricing catalogue`,
    );
  }
  if (model === null && conversation.model !== null) {
    const family = modelFamily(conversation.model);
    const fits =
      (provider === 'anthropic' && family === 'claude') || (provider === 'openai' && family === 'gpt');
    if (fits && findPrice(provider, conversation.model, at) !== null) model = conversation.model;
    else
      notes.push(
        `transcript model ${conversation.model} replayed as ${DEFAULT_MODELS[provider]} (${provider} list prices)`,
      );
  }
  model ??= DEFAULT_MODELS[provider];
  const defaultPrice = findPrice(provider, DEFAULT_MODELS[provider], at);
  const price = findPrice(provider, model, at) ?? defaultPrice;
  if (price === null)
    throw new ReplayError(
      'RPL_UNPRICED_MODEL',
      `no ${provider} list price for ${model} in the pricing catalogue`,
    );

  const calls = toolCallsOf(conversation);
  const toolSchemas = conversation.tools !== null ? 'recorded' : calls.length > 0 ? 'reconstructed' : 'none';
  const tools = conversation.tools ?? (calls.length > 0 ? synthesizeTools(conversation) : []);
  const turns = turnsOf(conversation);

  const verbatim =
    recorded !== null && recorded === api && opts.client === undefined && opts.model === undefined;
  if (verbatim) {
    const requests = conversation.recordedRequests!.map((r, index) => ({
      index,
      path: API_PATHS[r.api],
      body: r.body,
      response: r.response,
    }));
    const recordedModel = conversation.model ?? model;
    const recordedPrice = findPrice(provider, recordedModel, at);
    if (recordedPrice === null)
      notes.push(`recorded model ${recordedModel} has no list price: priced as ${model}`);
    return {
      conversation,
      provider,
      api,
      model: recordedModel,
      price: recordedPrice ?? price,
      client: 'as-recorded',
      verbatim,
      tools,
      toolSchemas,
      turns,
      requests,
      notes,
    };
  }
  if (recorded !== null) notes.push(`raw requests rebuilt for ${api} (not sent verbatim)`);
  const client: ClientProfile =
    opts.client ?? (conversation.format === 'claude-code' ? 'cache-aware' : 'naive');
  const cacheKey = `replay-${conversation.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const requests = turns.map((turn) => ({
    index: turn.index,
    ...buildRequest(conversation, turn, { api, model: model, profile: client, tools, cacheKey }),
    response: turn.response,
  }));
  return {
    conversation,
    provider,
    api,
    model,
    price,
    client,
    verbatim,
    tools,
    toolSchemas,
    turns,
    requests,
    notes,
  };
}
