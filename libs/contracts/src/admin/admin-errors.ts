/**
 * Error codes of the admin API, in the shape of the shared catalogue (`ERROR_CATALOGUE`); the lead may
 * merge them into it. The envelope is the shared one: `{statusCode, code, error, message, requestId, details}`.
 */
import { ERROR_CATALOGUE, type ErrorSpec } from '../errors/error-catalogue';

export const ADMIN_ERROR_CATALOGUE = {
  ADM_TEAM_NOT_FOUND: { status: 404, title: 'Not Found' },
  ADM_NOT_FOUND: { status: 404, title: 'Not Found' },
  ADM_CONFLICT: { status: 409, title: 'Conflict' },
  ADM_PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload Too Large' },
  ADM_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  ADM_CREDENTIAL_UNREADABLE: { status: 500, title: 'Internal Server Error' },
  ADM_BAD_CONFIG: { status: 500, title: 'Internal Server Error' },
} as const satisfies Record<string, ErrorSpec>;

export const ADMIN_API_ERRORS = { ...ERROR_CATALOGUE, ...ADMIN_ERROR_CATALOGUE } as const;
export type AdminErrorCode = keyof typeof ADMIN_API_ERRORS;

export interface AdminErrorEnvelope {
  readonly statusCode: number;
  readonly code: AdminErrorCode;
  readonly error: string;
  readonly message: string;
  readonly requestId: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
}

export function isAdminErrorCode(value: unknown): value is AdminErrorCode {
  return typeof value === 'string' && Object.hasOwn(ADMIN_API_ERRORS, value);
}

/** 5xx bodies are generic (details go to the log with the request id); 4xx carry message and details. */
export function toAdminErrorEnvelope(
  code: AdminErrorCode,
  message: string,
  requestId: string | null,
  details: Readonly<Record<string, unknown>> | null = null,
): AdminErrorEnvelope {
  const spec: ErrorSpec = ADMIN_API_ERRORS[code];
  const server = spec.status >= 500;
  return { statusCode: spec.status, code, error: spec.title, message: server ? spec.title : message, requestId, details: server ? null : details };
}
