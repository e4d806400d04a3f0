import { telemetrySettingsFromEnv } from '@leeway/telemetry';
import type { TelemetrySettings } from '@leeway/telemetry';

/** OpenTelemetry settings from the standard `OTEL_*` variables (tracing is off without an endpoint). */
export function loadTelemetryConfig(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TelemetrySettings {
  return telemetrySettingsFromEnv(serviceName, env);
}

/** Prometheus label bounds: `LEEWAY_METRICS_MAX_TEAMS` distinct teams are labelled by name (default 50), the rest `other`. */
export function loadMetricsConfig(env: Readonly<Record<string, string | undefined>> = process.env): { maxTeams: number } {
  const raw = env['LEEWAY_METRICS_MAX_TEAMS']?.trim();
  const value = raw ? Number(raw) : 50;
  return { maxTeams: Number.isInteger(value) && value >= 0 && value <= 10_000 ? value : 50 };
}
