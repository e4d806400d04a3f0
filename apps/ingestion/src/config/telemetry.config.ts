import { telemetrySettingsFromEnv } from '@leeway/telemetry';
import type { TelemetrySettings } from '@leeway/telemetry';

/** OpenTelemetry settings from the standard `OTEL_*` variables (tracing is off without an endpoint). */
export function loadTelemetryConfig(
  serviceName = 'leeway-ingestion',
  env: Readonly<Record<string, string | undefined>> = process.env,
): TelemetrySettings {
  return telemetrySettingsFromEnv(serviceName, env);
}
