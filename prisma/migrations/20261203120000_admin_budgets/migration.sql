-- Admin API (issue 6): budgets gain weekly and lifetime periods, an explicit hard/soft mode, a
-- calendar timezone, alert thresholds delivered to a webhook, an optional stronger compression mode
-- for soft budgets, and the behaviour when Redis is lost (fail open or closed).
-- Enum values added here are not used in this transaction (PostgreSQL ≥ 12 allows ADD VALUE in one).

-- AlterEnum
ALTER TYPE "BudgetPeriod" ADD VALUE 'week';

-- AlterEnum
ALTER TYPE "BudgetPeriod" ADD VALUE 'total';

-- CreateEnum
CREATE TYPE "BudgetMode" AS ENUM ('hard', 'soft');

-- CreateEnum
CREATE TYPE "BudgetFailMode" AS ENUM ('open', 'closed');

-- AlterTable
ALTER TABLE "budgets" ADD COLUMN "mode" "BudgetMode" NOT NULL DEFAULT 'hard',
ADD COLUMN "timezone" TEXT NOT NULL DEFAULT 'UTC',
ADD COLUMN "alert_thresholds" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN "webhook_url" TEXT,
ADD COLUMN "soft_compression" "CompressionMode",
ADD COLUMN "on_redis_loss" "BudgetFailMode" NOT NULL DEFAULT 'open';
