import type { TelemetrySettings } from './start-telemetry';

/**
 * Telemetry settings from the standard OpenTelemetry variables, given as a record (the app's config
 * passes `process.env`): traces are exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
 * (headers from `OTEL_EXPORTER_OTLP_HEADERS`, service name from `OTEL_SERVICE_NAME`, root sampling ratio
 * from `OTEL_TRACES_SAMPLER_ARG`); unset, tracing is a no-op.
 */
export function telemetrySettingsFromEnv(serviceName: string, env: Readonly<Record<string, string | undefined>>): TelemetrySettings {
  const rawRatio = env['OTEL_TRACES_SAMPLER_ARG']?.trim();
  const ratio = rawRatio ? Number(rawRatio) : 1;
  return {
    serviceName: env['OTEL_SERVICE_NAME']?.trim() || serviceName,
    otlpEndpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || null,
    otlpHeaders: parseOtlpHeaders(env['OTEL_EXPORTER_OTLP_HEADERS']),
    sampleRatio: Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1,
  };
}

/** `key1=value1,key2=value2` (values URL-encoded, as the OTLP exporter specification says). */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    try {
      headers[key] = decodeURIComponent(value);
    } catch {
      headers[key] = value;
    }
  }
  return headers;
}
