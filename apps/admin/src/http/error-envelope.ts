import { HttpException } from '@nestjs/common';
import { toAdminErrorEnvelope, type AdminErrorCode, type AdminErrorEnvelope } from '@leeway/contracts';
import { AdminDbError, SecretError } from '@leeway/db';
import type { Logger } from 'pino';
import { AdminHttpError } from './admin-http.error';

const FASTIFY_CODES: Record<string, AdminErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'ADM_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ADM_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'GEN_VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'GEN_VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'GEN_VALIDATION_FAILED',
};

function byStatus(status: number): AdminErrorCode {
  if (status === 400) return 'GEN_VALIDATION_FAILED';
  if (status === 401) return 'GEN_UNAUTHENTICATED';
  if (status === 403) return 'GEN_FORBIDDEN';
  if (status === 404) return 'GEN_NOT_FOUND';
  if (status === 409) return 'GEN_CONFLICT';
  if (status === 413) return 'ADM_PAYLOAD_TOO_LARGE';
  if (status === 415) return 'ADM_UNSUPPORTED_MEDIA_TYPE';
  if (status === 503) return 'GEN_UNAVAILABLE';
  return status >= 400 && status < 500 ? 'GEN_VALIDATION_FAILED' : 'GEN_INTERNAL';
}

/** Any thrown value → the one envelope. 5xx are logged with the request id and answered generically. */
export function toEnvelope(error: unknown, requestId: string | null, logger: Logger): AdminErrorEnvelope {
  if (error instanceof AdminHttpError) return toAdminErrorEnvelope(error.code, error.message, requestId, error.details);
  if (error instanceof AdminDbError) return toAdminErrorEnvelope(error.code, error.message, requestId);
  if (error instanceof SecretError) {
    logger.error({ requestId, code: error.code }, 'stored credential unreadable');
    return toAdminErrorEnvelope(error.code, error.message, requestId);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = byStatus(status);
    if (status >= 500) logger.error({ requestId, err: error }, 'request failed');
    return toAdminErrorEnvelope(code, status === 404 ? 'route not found' : error.message, requestId);
  }
  const fastify = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof fastify.code === 'string' && FASTIFY_CODES[fastify.code]) {
    const code = FASTIFY_CODES[fastify.code]!;
    const message = code === 'ADM_PAYLOAD_TOO_LARGE' ? 'request body too large' : (typeof fastify.message === 'string' ? fastify.message : 'bad request');
    return toAdminErrorEnvelope(code, message, requestId);
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return toAdminErrorEnvelope(byStatus(fastify.statusCode), (typeof fastify.message === 'string' ? fastify.message : 'bad request'), requestId);
  }
  logger.error({ requestId, err: error }, 'unhandled admin error');
  return toAdminErrorEnvelope('GEN_INTERNAL', 'internal error', requestId);
}
