/** Keeps request-log partitions ahead and applies retention: at start and every few hours. */
import { maintainRequestLog, type SqlQueryable } from '@leeway/db';
import type { EventLogger } from '@leeway/state';

export interface PartitionMaintenanceOptions {
  readonly sql: SqlQueryable;
  readonly monthsAhead: number;
  readonly retentionMonths: number;
  readonly intervalMs?: number;
  readonly logger: EventLogger;
}

export class PartitionMaintenanceService {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: PartitionMaintenanceOptions) {}

  async start(): Promise<void> {
    await this.runOnce();
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), this.options.intervalMs ?? 6 * 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async runOnce(): Promise<void> {
    try {
      const result = await maintainRequestLog(this.options.sql, {
        monthsAhead: this.options.monthsAhead,
        retentionMonths: this.options.retentionMonths,
      });
      if (result.created.length > 0 || result.dropped.length > 0) {
        this.options.logger.info({ created: result.created, dropped: result.dropped }, 'request-log partitions maintained');
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'request-log partition maintenance failed');
    }
  }
}
