/**
 * Sends a plan's requests turn by turn through each arm — `direct`: straight to a fake upstream;
 * `leeway`: through a Leeway proxy in front of a second fake upstream — and collects each response's
 * usage and the bodies each upstream received.
 */
import type { AssistantMessage, WireApi } from './conversation';
import type { ConversationPlan } from './plan';
import type { TokenClasses } from './pricing';
import { ReplayError } from './replay-error';
import { usageFromResponse } from './usage';

export type ArmName = 'direct' | 'leeway';
export const ARM_NAMES: readonly ArmName[] = ['direct', 'leeway'];

/** A fake provider the replay scripts and inspects. */
export interface UpstreamHandle {
  /** Base URL, no trailing `/v1`. */
  readonly baseUrl: string;
  /** Queue the response the upstream gives to the next request of this API. */
  script(api: WireApi, model: string, response: AssistantMessage): void;
  /** Bodies received so far, in order (raw text). */
  received(): readonly string[];
  close(): Promise<void>;
}

/** One arm: where requests go, and the upstream behind it. */
export interface Arm {
  readonly name: ArmName;
  /** Base URL the client sends to (the upstream itself, or the proxy). */
  readonly clientBaseUrl: string;
  readonly upstream: UpstreamHandle;
}

export interface TurnOutcome {
  readonly usage: TokenClasses;
}

export interface ArmConversationRun {
  readonly arm: ArmName;
  readonly turns: readonly TurnOutcome[];
  /** What the upstream received for this conversation, in order (one body per turn normally). */
  readonly upstreamBodies: readonly string[];
}

const EMPTY_USAGE: TokenClasses = { input: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0 };

function headersFor(api: WireApi, session: string): Record<string, string> {
  const common = { 'content-type': 'application/json', 'x-leeway-session': session };
  return api === 'anthropic'
    ? { ...common, 'x-api-key': 'sk-ant-replay-0000', 'anthropic-version': '2023-06-01' }
    : { ...common, authorization: 'Bearer sk-replay-0000' };
}

async function send(
  arm: Arm,
  plan: ConversationPlan,
  turnIndex: number,
  session: string,
): Promise<TurnOutcome> {
  const req = plan.requests[turnIndex]!;
  arm.upstream.script(plan.api, plan.model, req.response);
  const url = `${arm.clientBaseUrl}${req.path}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: headersFor(plan.api, session), body: req.body });
  } catch (err) {
    throw new ReplayError(
      'RPL_UPSTREAM_FAILED',
      `${arm.name} arm: ${plan.conversation.id} turn ${turnIndex + 1}: ${url} unreachable (${(err as Error).message})`,
      { cause: err },
    );
  }
  const text = await res.text();
  if (!res.ok) {
    throw new ReplayError(
      'RPL_UPSTREAM_FAILED',
      `${arm.name} arm: ${plan.conversation.id} turn ${turnIndex + 1}: HTTP ${res.status} ${text.slice(0, 200).replace(/\s+/g, ' ')}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReplayError(
      'RPL_UPSTREAM_FAILED',
      `${arm.name} arm: ${plan.conversation.id} turn ${turnIndex + 1}: response is not JSON`,
    );
  }
  return { usage: usageFromResponse(plan.api, json) ?? EMPTY_USAGE };
}

/**
 * Replay one conversation through every arm. Turns go in order; at each turn the arms are sent to
 * concurrently (they share nothing). `session` names the conversation to the proxy (`x-leeway-session`).
 */
export async function runConversation(
  plan: ConversationPlan,
  arms: readonly Arm[],
  session: string,
): Promise<ArmConversationRun[]> {
  const before = arms.map((a) => a.upstream.received().length);
  const outcomes: TurnOutcome[][] = arms.map(() => []);
  for (let t = 0; t < plan.requests.length; t++) {
    const results = await Promise.all(arms.map((arm) => send(arm, plan, t, session)));
    results.forEach((r, i) => outcomes[i]!.push(r));
  }
  return arms.map((arm, i) => ({
    arm: arm.name,
    turns: outcomes[i]!,
    upstreamBodies: arm.upstream.received().slice(before[i]),
  }));
}
