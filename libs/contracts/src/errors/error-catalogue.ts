/**
 * The error catalogue shared by the apps: every code (`AREA_WHAT`) maps to one HTTP status and a generic
 * public title. `satisfies` keeps the map exhaustive: a code without a status does not compile. Apps
 * extend the catalogue by adding entries here (one place, one envelope).
 */

export interface ErrorSpec {
  /** HTTP status used when the error reaches an HTTP boundary (admin / ingestion endpoints). */
  readonly status: number;
  /** Generic, client-safe title (the `error` field of the envelope). */
  readonly title: string;
}

export const ERROR_CATALOGUE = {
  // Generic HTTP-boundary errors.
  GEN_VALIDATION_FAILED: { status: 400, title: 'Bad Request' },
  GEN_UNAUTHENTICATED: { status: 401, title: 'Unauthorized' },
  GEN_FORBIDDEN: { status: 403, title: 'Forbidden' },
  GEN_NOT_FOUND: { status: 404, title: 'Not Found' },
  GEN_CONFLICT: { status: 409, title: 'Conflict' },
  GEN_INTERNAL: { status: 500, title: 'Internal Server Error' },
  GEN_UNAVAILABLE: { status: 503, title: 'Service Unavailable' },
  // Events and ingestion.
  EVT_INVALID: { status: 422, title: 'Unprocessable Entity' },
  EVT_UNSUPPORTED_VERSION: { status: 422, title: 'Unprocessable Entity' },
  EVT_PUBLISH_FAILED: { status: 503, title: 'Service Unavailable' },
  ING_NOT_READY: { status: 503, title: 'Service Unavailable' },
  ING_SHUTTING_DOWN: { status: 503, title: 'Service Unavailable' },
  // Database and migrations.
  DB_UNAVAILABLE: { status: 503, title: 'Service Unavailable' },
  DB_MIGRATION_FAILED: { status: 500, title: 'Internal Server Error' },
  DB_MIGRATION_PREVIOUSLY_FAILED: { status: 500, title: 'Internal Server Error' },
  DB_BAD_CONFIG: { status: 500, title: 'Internal Server Error' },
  // Pricing.
  PRC_INVALID_PRICE: { status: 400, title: 'Bad Request' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The one error body of the admin and ingestion HTTP APIs (never the proxy's provider-shaped errors). */
export interface ErrorEnvelope {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly error: string;
  readonly message: string;
  readonly requestId: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

export function statusForCode(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/**
 * Build the envelope. 5xx bodies are generic (the detail belongs in the log line with the request id),
 * 4xx bodies carry the message and details.
 */
export function toErrorEnvelope(
  code: ErrorCode,
  message: string,
  requestId: string | null,
  details: Readonly<Record<string, unknown>> | null = null,
): ErrorEnvelope {
  const spec = ERROR_CATALOGUE[code];
  const isServerError = spec.status >= 500;
  return {
    statusCode: spec.status,
    code,
    error: spec.title,
    message: isServerError ? spec.title : message,
    requestId,
    details: isServerError ? null : details,
  };
}
