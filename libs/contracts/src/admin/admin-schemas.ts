/**
 * Request and response schemas of the admin API (issue 6). JSON bodies are camelCase; the field names
 * are part of the contract. Request schemas are strict: unknown fields are rejected. Money is carried
 * as a decimal string (`"2000.000000"`) in responses and accepted as a string or a number in requests.
 */
import { z } from 'zod';

export const ROLES = ['admin', 'finance', 'team-admin'] as const;
export const roleSchema = z.enum(ROLES);
export type AdminRole = z.infer<typeof roleSchema>;

export const COMPRESSION_MODES = ['off', 'lossless', 'balanced', 'aggressive'] as const;
export const compressionModeSchema = z.enum(COMPRESSION_MODES);
export type CompressionModeName = z.infer<typeof compressionModeSchema>;

export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;
export const budgetPeriodSchema = z.enum(BUDGET_PERIODS);
export type BudgetPeriodName = z.infer<typeof budgetPeriodSchema>;

export const budgetModeSchema = z.enum(['hard', 'soft']);
export type BudgetModeName = z.infer<typeof budgetModeSchema>;

/** Providers a credential may be stored for (path segment of `PUT /v1/teams/{id}/credentials/{provider}`). */
export const PROVIDERS = ['anthropic', 'openai'] as const;
export const providerSchema = z.enum(PROVIDERS);

/** Row ids created by the admin API are UUIDs. */
export const idSchema = z.uuid({ message: 'must be a UUID' });

/** Glob over model names: `*` matches any run of characters; nothing else is special. */
export const modelPatternSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:/@*-]+$/, 'must contain only letters, digits, . _ : / @ - and * (glob)')
  .refine((p) => !p.includes('**'), 'must not contain "**"');

const nameSchema = z.string().trim().min(1, 'must not be empty').max(200);

export const slugSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and inner dashes');

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().min(1).max(64).refine(isValidTimeZone, 'must be an IANA time zone (e.g. Europe/Paris)');

/** USD amount with at most 6 decimals, > 0, below 10^14. */
export const usdAmountSchema = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
    if (!/^\d{1,14}(\.\d{1,6})?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be a positive USD amount with at most 6 decimals' });
      return z.NEVER;
    }
    if (/^0+(\.0+)?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
      return z.NEVER;
    }
    return text;
  });

const isoInstantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' });

// ------------------------------------------------------------------------------------------------
// Teams

export const teamCreateSchema = z.strictObject({ name: nameSchema, slug: slugSchema.optional() });
export const teamUpdateSchema = z.strictObject({ name: nameSchema.optional(), disabled: z.boolean().optional() });
export const teamSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TeamCreate = z.infer<typeof teamCreateSchema>;
export type TeamUpdate = z.infer<typeof teamUpdateSchema>;
export type TeamView = z.infer<typeof teamSchema>;

// ------------------------------------------------------------------------------------------------
// Virtual keys

export const keyCreateSchema = z.strictObject({ name: nameSchema, expiresAt: isoInstantSchema.optional() });
/** Returned once by `POST /v1/teams/{id}/keys`: the only time the key is visible. */
export const keyCreatedSchema = z.object({ id: z.string(), key: z.string(), prefix: z.string(), expiresAt: z.string().nullable() });
export const keySchema = z.object({
  id: z.string(),
  teamId: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type KeyCreate = z.infer<typeof keyCreateSchema>;
export type KeyView = z.infer<typeof keySchema>;

// ------------------------------------------------------------------------------------------------
// Provider credentials

export const credentialPutSchema = z.strictObject({
  apiKey: z.string().trim().min(8, 'must be at least 8 characters').max(4096),
  name: nameSchema.optional(),
});
export const credentialSchema = z.object({
  id: z.string(),
  teamId: z.string().nullable(),
  provider: z.string(),
  name: z.string(),
  keyHint: z.string(),
  createdAt: z.string(),
  rotatedAt: z.string().nullable(),
});
export type CredentialPut = z.infer<typeof credentialPutSchema>;
export type CredentialView = z.infer<typeof credentialSchema>;

// ------------------------------------------------------------------------------------------------
// Policies

const excludedToolsSchema = z.array(z.string().min(1).max(200)).max(200);

export const policyCreateSchema = z.strictObject({
  /** Absent or null: the organisation-wide default. */
  teamId: idSchema.nullable().optional(),
  /** Absent or null: every model. */
  modelPattern: modelPatternSchema.nullable().optional(),
  compression: compressionModeSchema,
  /** Measure what compression would save without changing traffic. */
  shadow: z.boolean().optional(),
  retrieval: z.boolean().optional(),
  cachePlanner: z.boolean().optional(),
  excludedTools: excludedToolsSchema.optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  enabled: z.boolean().optional(),
});
export const policyUpdateSchema = z.strictObject({
  modelPattern: modelPatternSchema.nullable().optional(),
  compression: compressionModeSchema.optional(),
  shadow: z.boolean().optional(),
  retrieval: z.boolean().optional(),
  cachePlanner: z.boolean().optional(),
  excludedTools: excludedToolsSchema.optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  enabled: z.boolean().optional(),
});
export const policySchema = z.object({
  id: z.string(),
  teamId: z.string().nullable(),
  modelPattern: z.string().nullable(),
  compression: compressionModeSchema,
  shadow: z.boolean(),
  retrieval: z.boolean(),
  cachePlanner: z.boolean(),
  excludedTools: z.array(z.string()),
  priority: z.number().int(),
  enabled: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PolicyCreate = z.infer<typeof policyCreateSchema>;
export type PolicyUpdate = z.infer<typeof policyUpdateSchema>;
export type PolicyView = z.infer<typeof policySchema>;

// ------------------------------------------------------------------------------------------------
// Budgets

const alertThresholdsSchema = z
  .array(z.number().int().min(1).max(1000))
  .max(10)
  .refine((a) => new Set(a).size === a.length, 'must not repeat a threshold');
const webhookUrlSchema = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2000);

export const budgetCreateSchema = z.strictObject({
  teamId: idSchema,
  modelPattern: modelPatternSchema.nullable().optional(),
  period: budgetPeriodSchema,
  /** IANA zone the calendar period is aligned to (default UTC). */
  timezone: timeZoneSchema.optional(),
  limitUsd: usdAmountSchema,
  mode: budgetModeSchema,
  /** Percentages of the limit at which the webhook is called (each at most once per window). */
  alertThresholds: alertThresholdsSchema.optional(),
  webhookUrl: webhookUrlSchema.nullable().optional(),
  /** Soft budgets: compression mode the team is switched to once the limit is passed. */
  softCompression: compressionModeSchema.nullable().optional(),
  /** When Redis is unreachable: let requests through (`open`) or refuse them (`closed`). */
  onRedisLoss: z.enum(['open', 'closed']).optional(),
  enabled: z.boolean().optional(),
});
export const budgetUpdateSchema = z.strictObject({
  modelPattern: modelPatternSchema.nullable().optional(),
  period: budgetPeriodSchema.optional(),
  timezone: timeZoneSchema.optional(),
  limitUsd: usdAmountSchema.optional(),
  mode: budgetModeSchema.optional(),
  alertThresholds: alertThresholdsSchema.optional(),
  webhookUrl: webhookUrlSchema.nullable().optional(),
  softCompression: compressionModeSchema.nullable().optional(),
  onRedisLoss: z.enum(['open', 'closed']).optional(),
  enabled: z.boolean().optional(),
});
export const budgetSchema = z.object({
  id: z.string(),
  teamId: z.string(),
  modelPattern: z.string().nullable(),
  period: budgetPeriodSchema,
  timezone: z.string(),
  limitUsd: z.string(),
  mode: budgetModeSchema,
  alertThresholds: z.array(z.number().int()),
  webhookUrl: z.string().nullable(),
  softCompression: compressionModeSchema.nullable(),
  onRedisLoss: z.enum(['open', 'closed']),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BudgetCreate = z.infer<typeof budgetCreateSchema>;
export type BudgetUpdate = z.infer<typeof budgetUpdateSchema>;
export type BudgetView = z.infer<typeof budgetSchema>;

// ------------------------------------------------------------------------------------------------
// Pricing

const pricePerMtokSchema = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
    if (!/^\d{1,10}(\.\d{1,6})?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative USD price per million tokens, at most 6 decimals' });
      return z.NEVER;
    }
    return text;
  });

export const priceCreateSchema = z.strictObject({
  provider: z.string().min(1).max(50).regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes'),
  modelPattern: modelPatternSchema,
  effectiveFrom: isoInstantSchema,
  inputPerMtok: pricePerMtokSchema,
  outputPerMtok: pricePerMtokSchema,
  cacheWrite5mPerMtok: pricePerMtokSchema.nullable().optional(),
  cacheWrite1hPerMtok: pricePerMtokSchema.nullable().optional(),
  cacheReadPerMtok: pricePerMtokSchema.nullable().optional(),
  reasoningPerMtok: pricePerMtokSchema.nullable().optional(),
  source: z.string().min(1).max(500).optional(),
});
export const priceSchema = z.object({
  id: z.string(),
  provider: z.string(),
  modelPattern: z.string(),
  effectiveFrom: z.string(),
  inputPerMtok: z.string(),
  outputPerMtok: z.string(),
  cacheWrite5mPerMtok: z.string().nullable(),
  cacheWrite1hPerMtok: z.string().nullable(),
  cacheReadPerMtok: z.string().nullable(),
  reasoningPerMtok: z.string().nullable(),
  source: z.string(),
  createdAt: z.string(),
});
export type PriceCreate = z.infer<typeof priceCreateSchema>;
export type PriceView = z.infer<typeof priceSchema>;

// ------------------------------------------------------------------------------------------------
// Users and admin tokens

export const userCreateSchema = z
  .strictObject({
    email: z.email().max(320),
    displayName: nameSchema.optional(),
    role: roleSchema,
    /** Required for `team-admin`, forbidden otherwise. */
    teamId: idSchema.optional(),
  })
  .superRefine((u, ctx) => {
    if (u.role === 'team-admin' && !u.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'required for role team-admin' });
    if (u.role !== 'team-admin' && u.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'only allowed for role team-admin' });
  });
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string().nullable(),
  roles: z.array(z.object({ role: roleSchema, teamId: z.string().nullable() })),
  createdAt: z.string(),
});
export const tokenCreateSchema = z.strictObject({ name: nameSchema, expiresAt: isoInstantSchema.optional() });
export const tokenCreatedSchema = z.object({ id: z.string(), token: z.string(), prefix: z.string(), expiresAt: z.string().nullable() });
export type UserCreate = z.infer<typeof userCreateSchema>;
export type UserView = z.infer<typeof userSchema>;
export type TokenCreate = z.infer<typeof tokenCreateSchema>;

// ------------------------------------------------------------------------------------------------
// Reports, explain, audit

const dateSchema = z.iso.date({ message: 'must be a date YYYY-MM-DD' });
export const REPORT_GROUPS = ['team', 'model', 'provider', 'day'] as const;

export const spendQuerySchema = z
  .strictObject({
    from: dateSchema,
    /** Inclusive last day. */
    to: dateSchema,
    groupBy: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const parts = (v ?? 'team,model').split(',').map((p) => p.trim()).filter((p) => p.length > 0);
        for (const p of parts) {
          if (!(REPORT_GROUPS as readonly string[]).includes(p)) {
            ctx.addIssue({ code: 'custom', message: `unknown group "${p}" (allowed: ${REPORT_GROUPS.join(', ')})` });
            return z.NEVER;
          }
        }
        return [...new Set(parts)] as (typeof REPORT_GROUPS)[number][];
      }),
    teamId: idSchema.optional(),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 2 * 86_400_000, { path: ['to'], message: 'range must not exceed two years' });
export type SpendQuery = z.infer<typeof spendQuerySchema>;

export const spendRowSchema = z.object({
  teamId: z.string().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  day: z.string().optional(),
  requests: z.number().int(),
  errorRequests: z.number().int(),
  unpricedRequests: z.number().int(),
  estimatedRequests: z.number().int(),
  inputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWrite5mTokens: z.number().int(),
  cacheWrite1hTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  tokensBefore: z.number().int(),
  tokensAfter: z.number().int(),
  billedUsd: z.string(),
  counterfactualUsd: z.string(),
  savingsCompressionUsd: z.string(),
  savingsCacheReadUsd: z.string(),
  cacheWritePremiumUsd: z.string(),
  savingsTotalUsd: z.string(),
});
export type SpendRow = z.infer<typeof spendRowSchema>;
export const spendReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.array(z.string()),
  rows: z.array(spendRowSchema),
});

export const explainQuerySchema = z.strictObject({
  team: idSchema,
  model: z.string().min(1).max(200),
});

export const auditQuerySchema = z.strictObject({
  teamId: idSchema.optional(),
  targetType: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  /** Entries with an id below this one (paging backwards). */
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be an audit entry id')
    .optional(),
});
export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  teamId: z.string().nullable(),
  requestId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

/** Body of a change notification on the bus (`leeway:admin:changes`). */
export const adminChangeSchema = z.object({
  kind: z.enum(['policy', 'budget', 'key', 'credential', 'team', 'pricing']),
  action: z.enum(['created', 'updated', 'deleted', 'revoked']),
  id: z.string(),
  teamId: z.string().nullable(),
  /** Key hash of a revoked virtual key, so proxies drop it from their cache. */
  keyHash: z.string().optional(),
  at: z.string(),
});
export type AdminChange = z.infer<typeof adminChangeSchema>;
