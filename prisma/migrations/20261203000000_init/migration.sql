-- Leeway initial schema. Written by hand to match prisma/schema.prisma exactly (Prisma's own DDL
-- conventions: types, constraint and index names), plus what Prisma cannot express: monthly range
-- partitioning of request_log and its maintenance functions.

-- CreateEnum
CREATE TYPE "CompressionMode" AS ENUM ('off', 'lossless', 'balanced', 'aggressive');

-- CreateEnum
CREATE TYPE "BudgetPeriod" AS ENUM ('day', 'month');

-- CreateEnum
CREATE TYPE "RequestStatus" AS ENUM ('complete', 'error', 'partial');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'finance', 'team_admin');

-- CreateTable
CREATE TABLE "teams" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "credential_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_credentials" (
    "id" TEXT NOT NULL,
    "team_id" TEXT,
    "provider" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "encrypted" BYTEA NOT NULL,
    "key_hint" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policies" (
    "id" TEXT NOT NULL,
    "team_id" TEXT,
    "model_pattern" TEXT,
    "mode" "CompressionMode" NOT NULL DEFAULT 'lossless',
    "settings" JSONB NOT NULL DEFAULT '{}',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budgets" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "model_pattern" TEXT,
    "period" "BudgetPeriod" NOT NULL,
    "limit_usd" DECIMAL(20,6),
    "soft_limit_usd" DECIMAL(20,6),
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_prices" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model_pattern" TEXT NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "input_per_mtok" DECIMAL(18,6) NOT NULL,
    "cache_write_5m_per_mtok" DECIMAL(18,6),
    "cache_write_1h_per_mtok" DECIMAL(18,6),
    "cache_read_per_mtok" DECIMAL(18,6),
    "output_per_mtok" DECIMAL(18,6) NOT NULL,
    "reasoning_per_mtok" DECIMAL(18,6),
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("id")
);

-- CreateTable (range-partitioned by month on occurred_at; partitions are managed by the functions below)
CREATE TABLE "request_log" (
    "request_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event_version" SMALLINT NOT NULL,
    "team_id" TEXT NOT NULL,
    "key_id" TEXT,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "stream" BOOLEAN NOT NULL,
    "status" "RequestStatus" NOT NULL,
    "http_status" SMALLINT,
    "error_code" TEXT,
    "latency_ms" INTEGER NOT NULL,
    "ttfb_ms" INTEGER,
    "input_tokens" BIGINT,
    "output_tokens" BIGINT,
    "cache_read_tokens" BIGINT,
    "cache_write_5m_tokens" BIGINT,
    "cache_write_1h_tokens" BIGINT,
    "reasoning_tokens" BIGINT,
    "usage_estimated" BOOLEAN NOT NULL,
    "tokens_before" BIGINT NOT NULL,
    "tokens_after" BIGINT NOT NULL,
    "replayed_tokens_before" BIGINT NOT NULL,
    "replayed_tokens_after" BIGINT NOT NULL,
    "compression_kinds" TEXT[],
    "retrieve_rounds" SMALLINT NOT NULL,
    "cache_breakpoints_added" SMALLINT NOT NULL,
    "price_id" TEXT,
    "billed_usd" DECIMAL(28,12),
    "billed_known_usd" DECIMAL(28,12),
    "counterfactual_usd" DECIMAL(28,12),
    "savings_compression_usd" DECIMAL(28,12),
    "savings_cache_read_usd" DECIMAL(28,12),
    "cache_write_premium_usd" DECIMAL(28,12),
    "savings_total_usd" DECIMAL(28,12),
    "cost_flags" TEXT[],
    "session_id" TEXT,
    "traceparent" TEXT,

    CONSTRAINT "request_log_pkey" PRIMARY KEY ("request_id","occurred_at")
) PARTITION BY RANGE ("occurred_at");

-- CreateTable
CREATE TABLE "daily_rollups" (
    "day" DATE NOT NULL,
    "team_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "complete_requests" BIGINT NOT NULL DEFAULT 0,
    "error_requests" BIGINT NOT NULL DEFAULT 0,
    "partial_requests" BIGINT NOT NULL DEFAULT 0,
    "unpriced_requests" BIGINT NOT NULL DEFAULT 0,
    "estimated_requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_5m_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_1h_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "tokens_before" BIGINT NOT NULL DEFAULT 0,
    "tokens_after" BIGINT NOT NULL DEFAULT 0,
    "latency_ms_sum" BIGINT NOT NULL DEFAULT 0,
    "billed_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "billed_known_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "counterfactual_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "savings_compression_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "savings_cache_read_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "cache_write_premium_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "savings_total_usd" DECIMAL(30,12) NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "daily_rollups_pkey" PRIMARY KEY ("day","team_id","provider","model")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_bindings" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "team_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_bindings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_tokens" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "team_id" TEXT,
    "request_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "teams_slug_key" ON "teams"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_team_id_idx" ON "api_keys"("team_id");

-- CreateIndex
CREATE INDEX "api_keys_prefix_idx" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "provider_credentials_team_id_provider_idx" ON "provider_credentials"("team_id", "provider");

-- CreateIndex
CREATE INDEX "policies_team_id_idx" ON "policies"("team_id");

-- CreateIndex
CREATE INDEX "budgets_team_id_idx" ON "budgets"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "model_prices_provider_model_pattern_effective_from_key" ON "model_prices"("provider", "model_pattern", "effective_from");

-- CreateIndex
CREATE INDEX "request_log_team_id_occurred_at_idx" ON "request_log"("team_id", "occurred_at");

-- CreateIndex
CREATE INDEX "request_log_occurred_at_idx" ON "request_log"("occurred_at");

-- CreateIndex
CREATE INDEX "daily_rollups_team_id_day_idx" ON "daily_rollups"("team_id", "day");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "role_bindings_user_id_idx" ON "role_bindings"("user_id");

-- CreateIndex
CREATE INDEX "role_bindings_team_id_idx" ON "role_bindings"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "admin_tokens_hash_key" ON "admin_tokens"("hash");

-- CreateIndex
CREATE INDEX "admin_tokens_user_id_idx" ON "admin_tokens"("user_id");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_team_id_at_idx" ON "audit_log"("team_id", "at");

-- CreateIndex
CREATE INDEX "audit_log_target_type_target_id_idx" ON "audit_log"("target_type", "target_id");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_credential_id_fkey" FOREIGN KEY ("credential_id") REFERENCES "provider_credentials"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_credentials" ADD CONSTRAINT "provider_credentials_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policies" ADD CONSTRAINT "policies_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_bindings" ADD CONSTRAINT "role_bindings_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_bindings" ADD CONSTRAINT "role_bindings_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "admin_tokens" ADD CONSTRAINT "admin_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Request-log partitions -----------------------------------------------------------------------------
-- One partition per UTC month, named request_log_YYYY_MM, created in request_log's schema.

-- Create (if missing) the partition holding p_at; safe under concurrency (transaction advisory lock).
CREATE FUNCTION "leeway_ensure_request_log_partition"(p_at TIMESTAMPTZ) RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
    v_month  TIMESTAMP   := date_trunc('month', p_at AT TIME ZONE 'UTC');
    v_from   TIMESTAMPTZ := v_month AT TIME ZONE 'UTC';
    v_to     TIMESTAMPTZ := (v_month + INTERVAL '1 month') AT TIME ZONE 'UTC';
    v_name   TEXT        := 'request_log_' || to_char(v_month, 'YYYY_MM');
    v_schema TEXT;
BEGIN
    SELECT n.nspname INTO v_schema
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = 'request_log'::regclass;
    IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
        RETURN v_name;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('leeway.request_log.partitions'));
    IF to_regclass(format('%I.%I', v_schema, v_name)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
                       v_schema, v_name, v_schema, 'request_log', v_from, v_to);
    END IF;
    RETURN v_name;
END
$$;

-- Create partitions from the previous month to p_months_ahead months ahead of p_now, and drop those
-- entirely older than p_retention_months full months (0 = keep forever). Returns what it did.
CREATE FUNCTION "leeway_maintain_request_log"(
    p_months_ahead INTEGER,
    p_retention_months INTEGER,
    p_now TIMESTAMPTZ DEFAULT now()
) RETURNS TABLE ("action" TEXT, "partition_name" TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    v_month  TIMESTAMP := date_trunc('month', p_now AT TIME ZONE 'UTC');
    v_cutoff TIMESTAMP;
    v_schema TEXT;
    v_rel    RECORD;
    v_i      INTEGER;
BEGIN
    -- One maintainer at a time (replicas run this concurrently); re-entrant with the ensure function.
    PERFORM pg_advisory_xact_lock(hashtext('leeway.request_log.partitions'));
    SELECT n.nspname INTO v_schema
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = 'request_log'::regclass;
    FOR v_i IN -1 .. GREATEST(p_months_ahead, 0) LOOP
        IF to_regclass(format('%I.%I', v_schema,
                              'request_log_' || to_char(v_month + make_interval(months => v_i), 'YYYY_MM'))) IS NULL THEN
            action := 'created';
            partition_name := "leeway_ensure_request_log_partition"((v_month + make_interval(months => v_i)) AT TIME ZONE 'UTC');
            RETURN NEXT;
        END IF;
    END LOOP;
    IF p_retention_months > 0 THEN
        v_cutoff := v_month - make_interval(months => p_retention_months);
        FOR v_rel IN
            SELECT c.relname
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'request_log'::regclass
               AND c.relname ~ '^request_log_[0-9]{4}_[0-9]{2}$'
               AND to_date(substr(c.relname, 13), 'YYYY_MM')::timestamp < v_cutoff
             ORDER BY c.relname
        LOOP
            EXECUTE format('DROP TABLE IF EXISTS %I.%I', v_schema, v_rel.relname);
            action := 'dropped';
            partition_name := v_rel.relname;
            RETURN NEXT;
        END LOOP;
    END IF;
END
$$;

-- Partitions around the time of migration; the ingestion service keeps them ahead from then on.
SELECT * FROM "leeway_maintain_request_log"(3, 0);
