import { startTelemetry } from '@leeway/telemetry';
import type { TelemetryHandle } from '@leeway/telemetry';
import { loadTelemetryConfig } from '../config/telemetry.config';

/** Start OpenTelemetry for the proxy (OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, a no-op otherwise). */
export function startProxyTelemetry(serviceName = 'leeway-proxy'): TelemetryHandle {
  return startTelemetry(loadTelemetryConfig(serviceName));
}
