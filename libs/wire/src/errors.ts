/**
 * Errors: Leeway's own typed errors for wire code (`WireError`, `JsonScanError`) and the provider-shaped
 * error bodies the proxy answers with. The code → status map is exhaustive: adding a code without a status
 * fails the build.
 */

/** Error codes thrown by `@leeway/wire` itself. */
export type WireErrorCode =
  | 'WIRE_BAD_JSON'
  | 'WIRE_NOT_AN_OBJECT'
  | 'WIRE_BAD_EDIT'
  | 'WIRE_BAD_REQUEST_SHAPE';

/** A typed error from wire code. The proxy maps it to a `LeewayErrorCode` (e.g. `WIRE_BAD_JSON` → `PRX_BAD_JSON`). */
export class WireError extends Error {
  override readonly name: string = 'WireError';
  constructor(
    readonly code: WireErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Invalid JSON: `offset` is the byte offset (into the raw body) where scanning failed. */
export class JsonScanError extends WireError {
  override readonly name: string = 'JsonScanError';
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super('WIRE_BAD_JSON', `invalid JSON at byte ${offset}: ${reason}`);
  }
}

/** Leeway's own error codes as the proxy reports them to clients. */
export const LEEWAY_ERROR_STATUS = {
  PRX_BAD_JSON: 400,
  PRX_BAD_REQUEST: 400,
  PRX_UNAUTHORIZED: 401,
  PRX_FORBIDDEN: 403,
  PRX_NOT_FOUND: 404,
  PRX_METHOD_NOT_ALLOWED: 405,
  PRX_BODY_TOO_LARGE: 413,
  PRX_UNSUPPORTED_MEDIA_TYPE: 415,
  PRX_UNSUPPORTED_ENCODING: 415,
  PRX_BUDGET_EXCEEDED: 429,
  PRX_RATE_LIMITED: 429,
  PRX_INTERNAL: 500,
  PRX_UPSTREAM_UNREACHABLE: 502,
  PRX_UPSTREAM_BAD_RESPONSE: 502,
  PRX_NOT_READY: 503,
  PRX_UPSTREAM_TIMEOUT: 504,
} as const satisfies Record<`PRX_${string}`, number>;

export type LeewayErrorCode = keyof typeof LEEWAY_ERROR_STATUS;

export const LEEWAY_ERROR_CODES = Object.keys(LEEWAY_ERROR_STATUS) as readonly LeewayErrorCode[];

/** The HTTP status for a Leeway error code. */
export function statusForErrorCode(code: LeewayErrorCode): number {
  return LEEWAY_ERROR_STATUS[code];
}

/** Anthropic's error `type`s (https://docs.anthropic.com/en/api/errors). */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** The Anthropic error type for an HTTP status. */
export function anthropicErrorTypeForStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** OpenAI's error `type`s as its API reports them. */
export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error';

/** The OpenAI error type for an HTTP status. */
export function openAiErrorTypeForStatus(status: number): OpenAiErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 429:
      return 'rate_limit_error';
    default:
      return status >= 500 ? 'server_error' : 'invalid_request_error';
  }
}

export interface AnthropicErrorBody {
  readonly type: 'error';
  readonly error: { readonly type: AnthropicErrorType; readonly message: string };
}

export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: OpenAiErrorType;
    readonly code: string | null;
    readonly param: string | null;
  };
}

/** A ready-to-send error: status, JSON body (object and serialised), content type. */
export interface ProviderErrorResponse<B = AnthropicErrorBody | OpenAiErrorBody> {
  readonly status: number;
  readonly body: B;
  readonly bodyText: string;
  readonly contentType: 'application/json';
}

/** Anthropic-shaped `{type:"error", error:{type, message}}` for a Leeway error code. */
export function anthropicError(code: LeewayErrorCode, message: string): ProviderErrorResponse<AnthropicErrorBody> {
  const status = statusForErrorCode(code);
  const body: AnthropicErrorBody = { type: 'error', error: { type: anthropicErrorTypeForStatus(status), message } };
  return { status, body, bodyText: JSON.stringify(body), contentType: 'application/json' };
}

/** OpenAI-shaped `{error:{message, type, code, param}}` for a Leeway error code (`code` is the Leeway code). */
export function openAiError(
  code: LeewayErrorCode,
  message: string,
  param: string | null = null,
): ProviderErrorResponse<OpenAiErrorBody> {
  const status = statusForErrorCode(code);
  const body: OpenAiErrorBody = { error: { message, type: openAiErrorTypeForStatus(status), code, param } };
  return { status, body, bodyText: JSON.stringify(body), contentType: 'application/json' };
}

/** The provider-shaped error for a provider family. */
export function providerError(
  provider: 'anthropic' | 'openai',
  code: LeewayErrorCode,
  message: string,
): ProviderErrorResponse {
  return provider === 'anthropic' ? anthropicError(code, message) : openAiError(code, message);
}

/** The Leeway code for a wire error (what the proxy reports when parsing a request fails). */
export function leewayCodeForWireError(error: WireError): LeewayErrorCode {
  switch (error.code) {
    case 'WIRE_BAD_JSON':
      return 'PRX_BAD_JSON';
    case 'WIRE_NOT_AN_OBJECT':
    case 'WIRE_BAD_REQUEST_SHAPE':
      return 'PRX_BAD_REQUEST';
    case 'WIRE_BAD_EDIT':
      return 'PRX_INTERNAL';
  }
}
