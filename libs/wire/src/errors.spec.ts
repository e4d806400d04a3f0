import { describe, expect, it } from 'vitest';
import {
  anthropicError,
  JsonScanError,
  LEEWAY_ERROR_CODES,
  leewayCodeForWireError,
  openAiError,
  providerError,
  statusForErrorCode,
  WireError,
} from './errors';

describe('provider-shaped errors', () => {
  it('maps Leeway codes to statuses', () => {
    expect(statusForErrorCode('PRX_BAD_JSON')).toBe(400);
    expect(statusForErrorCode('PRX_BODY_TOO_LARGE')).toBe(413);
    expect(statusForErrorCode('PRX_UPSTREAM_UNREACHABLE')).toBe(502);
    expect(statusForErrorCode('PRX_UPSTREAM_TIMEOUT')).toBe(504);
    expect(statusForErrorCode('PRX_UNAUTHORIZED')).toBe(401);
    expect(statusForErrorCode('PRX_BUDGET_EXCEEDED')).toBe(429);
    for (const code of LEEWAY_ERROR_CODES) {
      expect(code).toMatch(/^PRX_[A-Z_]+$/);
      expect(statusForErrorCode(code)).toBeGreaterThanOrEqual(400);
    }
  });

  it('builds Anthropic bodies with the matching error type', () => {
    const cases = [
      ['PRX_BAD_JSON', 'invalid_request_error'],
      ['PRX_UNAUTHORIZED', 'authentication_error'],
      ['PRX_FORBIDDEN', 'permission_error'],
      ['PRX_NOT_FOUND', 'not_found_error'],
      ['PRX_BODY_TOO_LARGE', 'request_too_large'],
      ['PRX_BUDGET_EXCEEDED', 'rate_limit_error'],
      ['PRX_UPSTREAM_UNREACHABLE', 'api_error'],
      ['PRX_UPSTREAM_TIMEOUT', 'api_error'],
    ] as const;
    for (const [code, type] of cases) {
      const e = anthropicError(code, 'm');
      expect(JSON.parse(e.bodyText)).toEqual({ type: 'error', error: { type, message: 'm' } });
    }
  });

  it('builds OpenAI bodies with code and param', () => {
    const e = openAiError('PRX_BODY_TOO_LARGE', 'too big');
    expect(e.status).toBe(413);
    expect(JSON.parse(e.bodyText)).toEqual({ error: { message: 'too big', type: 'invalid_request_error', code: 'PRX_BODY_TOO_LARGE', param: null } });
    expect(providerError('openai', 'PRX_UPSTREAM_TIMEOUT', 't').body).toMatchObject({ error: { type: 'server_error' } });
    expect(providerError('anthropic', 'PRX_UPSTREAM_TIMEOUT', 't').status).toBe(504);
  });

  it('maps wire errors to Leeway codes', () => {
    expect(leewayCodeForWireError(new JsonScanError(3, 'x'))).toBe('PRX_BAD_JSON');
    expect(leewayCodeForWireError(new WireError('WIRE_NOT_AN_OBJECT', 'x'))).toBe('PRX_BAD_REQUEST');
    const e = new JsonScanError(12, 'unexpected end of input');
    expect(e).toBeInstanceOf(WireError);
    expect(e).toMatchObject({ code: 'WIRE_BAD_JSON', offset: 12 });
  });
});
