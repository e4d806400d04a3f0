/** Route → adapter. Anything not listed here is relayed untouched by the proxy. */
import { anthropicMessagesAdapter } from './anthropic-messages';
import { openAiChatAdapter } from './openai-chat';
import { openAiResponsesAdapter } from './openai-responses';
import type { ProviderAdapter, WireApi } from './provider-adapter';

export const PROVIDER_ADAPTERS: Readonly<Record<WireApi, ProviderAdapter>> = {
  'anthropic-messages': anthropicMessagesAdapter,
  'openai-chat': openAiChatAdapter,
  'openai-responses': openAiResponsesAdapter,
};

export interface AdapterRoute {
  readonly adapter: ProviderAdapter;
  /** `count_tokens` requests are parsed like messages but never compressed into a different answer. */
  readonly countTokens: boolean;
}

/** The adapter for a request line (path without query string), or null for pass-through routes. */
export function findAdapterForRoute(method: string, path: string): AdapterRoute | null {
  if (method.toUpperCase() !== 'POST') return null;
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  switch (p) {
    case '/v1/messages':
      return { adapter: anthropicMessagesAdapter, countTokens: false };
    case '/v1/messages/count_tokens':
      return { adapter: anthropicMessagesAdapter, countTokens: true };
    case '/v1/chat/completions':
      return { adapter: openAiChatAdapter, countTokens: false };
    case '/v1/responses':
      return { adapter: openAiResponsesAdapter, countTokens: false };
    default:
      return null;
  }
}
