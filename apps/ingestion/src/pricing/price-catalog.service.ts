/**
 * The price catalogue as ingestion sees it: all effective-dated rows loaded from the database, looked
 * up in memory, refreshed periodically and — throttled — when a model is not found (so a price added
 * through the admin API applies within seconds). A refresh failure keeps the previous catalogue.
 */
import { PriceBook, type ModelPrice } from '@leeway/contracts';
import { loadModelPrices, type SqlQueryable } from '@leeway/db';
import type { EventLogger } from '@leeway/state';

export interface PriceCatalogOptions {
  readonly sql: SqlQueryable;
  readonly refreshMs: number;
  /** Minimum time between refreshes triggered by an unknown model (default 5,000 ms). */
  readonly missRefreshMs?: number;
  readonly logger: EventLogger;
}

export class PriceCatalogService {
  private book = new PriceBook([]);
  private loadedAt = 0;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly missRefreshMs: number;

  constructor(private readonly options: PriceCatalogOptions) {
    this.missRefreshMs = options.missRefreshMs ?? 5000;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get size(): number {
    return this.book.size;
  }

  /** Reload the catalogue (single-flight). Rejects only when nothing was ever loaded. */
  refresh(): Promise<void> {
    this.inFlight ??= loadModelPrices(this.options.sql)
      .then((prices) => {
        this.book = new PriceBook(prices);
        this.loadedAt = Date.now();
      })
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'price catalogue refresh failed; keeping the previous one');
        if (this.loadedAt === 0) throw error;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** The price in force for the model at `at`, or null (unknown model: stored unpriced, never as 0). */
  async findPrice(provider: string, model: string, at: Date): Promise<ModelPrice | null> {
    const found = this.book.findPrice(provider, model, at);
    if (found || Date.now() - this.loadedAt < this.missRefreshMs) return found;
    await this.refresh().catch(() => undefined);
    return this.book.findPrice(provider, model, at);
  }
}
