/**
 * The replay report: per conversation and in total, for each arm, input tokens by class, output tokens,
 * cost at list prices, net saving and prefix stability; plus the share of input that is tool output.
 */
import type { SegmentKind } from '@leeway/compression';
import type { RecordedUsage, TranscriptFormat, WireApi } from './conversation';
import type { ClientProfile } from './build/request-builder';
import type { ConversationPlan, Provider } from './plan';
import { prefixExtensions } from './prefix';
import { addTokens, costOf, toUsd, toUsdText, ZERO_TOKENS, type Cost, type TokenClasses } from './pricing';
import type { ArmConversationRun, ArmName } from './runner';
import { addShareViews, EMPTY_SHARE_VIEW, type ToolShare, type ToolShareView } from './tool-share';

export interface PrefixStability {
  /** Turns (after the first of each conversation) that extend their predecessor. */
  readonly extended: number;
  /** Turns considered. */
  readonly turns: number;
  /** extended / turns, or null when there is no turn to consider. */
  readonly rate: number | null;
}

export interface ArmReport {
  readonly tokens: TokenClasses;
  readonly costUsd: { readonly input: number; readonly output: number; readonly total: number };
  /** Exact total cost in dollars (12 decimals), as a string. */
  readonly costUsdExact: string;
  readonly prefixStability: PrefixStability;
  /** Bodies the upstream received (more than turns when the proxy made extra rounds). */
  readonly upstreamRequests: number;
}

export interface SavingReport {
  /** direct − through Leeway, in dollars (negative: Leeway cost more). */
  readonly usd: number;
  /** Total cost through Leeway ÷ direct. */
  readonly ratio: number | null;
  /** Input cost (uncached + cache writes + cache reads) through Leeway ÷ direct. */
  readonly inputRatio: number | null;
}

export interface ToolShareReport {
  readonly inputTokens: number;
  readonly toolOutputTokens: number;
  /** toolOutputTokens / inputTokens. */
  readonly share: number | null;
  /** Per kind: tokens and share of all tool-output tokens. */
  readonly byKind: Readonly<
    Partial<Record<SegmentKind, { readonly tokens: number; readonly share: number }>>
  >;
  /** (listing + search) / tool outputs. */
  readonly listingAndSearchShare: number | null;
  /** code / tool outputs. */
  readonly codeShare: number | null;
}

export interface ConversationReport {
  readonly id: string;
  readonly format: TranscriptFormat;
  readonly transcriptModel: string | null;
  readonly provider: Provider;
  readonly api: WireApi;
  readonly model: string;
  /** The catalogue row the costs use (pattern and effective date) and its id (price version). */
  readonly priceLabel: string;
  readonly priceId: string;
  readonly client: ClientProfile | 'as-recorded';
  readonly verbatim: boolean;
  readonly turns: number;
  /** Whether the replayed requests carry the agent's system prompt: as recorded, only part of it, or none. */
  readonly systemPrompt: 'recorded' | 'partial' | 'absent';
  readonly toolSchemas: 'recorded' | 'reconstructed' | 'none';
  readonly arms: Readonly<Partial<Record<ArmName, ArmReport>>>;
  readonly saving: SavingReport | null;
  readonly toolShare: { readonly sent: ToolShareReport; readonly unique: ToolShareReport };
  readonly recordedUsage: RecordedUsage | null;
  readonly notes: readonly string[];
}

export interface ReplayReport {
  readonly file: string;
  readonly format: TranscriptFormat;
  readonly conversations: readonly ConversationReport[];
  readonly flags: {
    /** Some conversation was replayed without (all of) its system prompt (the log holds none, or part of it). */
    readonly missingSystemPrompt: boolean;
    /** Some conversation's tool schemas were reconstructed from its calls (the log holds none). */
    readonly missingToolSchemas: boolean;
  };
  readonly total: {
    readonly turns: number;
    readonly arms: Readonly<Partial<Record<ArmName, ArmReport>>>;
    readonly saving: SavingReport | null;
    readonly toolShare: { readonly sent: ToolShareReport; readonly unique: ToolShareReport };
  };
  readonly skippedLines: number;
  readonly elapsedSeconds: number;
}

interface ArmAccumulator {
  tokens: TokenClasses;
  cost: Cost;
  extended: number;
  turns: number;
  upstreamRequests: number;
}

function armReport(a: ArmAccumulator): ArmReport {
  return {
    tokens: a.tokens,
    costUsd: { input: toUsd(a.cost.input), output: toUsd(a.cost.output), total: toUsd(a.cost.total) },
    costUsdExact: toUsdText(a.cost.total),
    prefixStability: {
      extended: a.extended,
      turns: a.turns,
      rate: a.turns > 0 ? a.extended / a.turns : null,
    },
    upstreamRequests: a.upstreamRequests,
  };
}

function ratio(a: bigint, b: bigint): number | null {
  if (b === 0n) return null;
  return Number((a * 1_000_000n) / b) / 1_000_000;
}

function saving(direct: ArmAccumulator | undefined, leeway: ArmAccumulator | undefined): SavingReport | null {
  if (!direct || !leeway) return null;
  return {
    usd: toUsd(direct.cost.total - leeway.cost.total),
    ratio: ratio(leeway.cost.total, direct.cost.total),
    inputRatio: ratio(leeway.cost.input, direct.cost.input),
  };
}

export function shareReport(v: ToolShareView): ToolShareReport {
  const tool = v.toolOutputTokens;
  const byKind: Partial<Record<SegmentKind, { tokens: number; share: number }>> = {};
  for (const [k, n] of Object.entries(v.toolOutputTokensByKind) as [SegmentKind, number][]) {
    byKind[k] = { tokens: n, share: tool > 0 ? n / tool : 0 };
  }
  const kind = (k: SegmentKind): number => v.toolOutputTokensByKind[k] ?? 0;
  return {
    inputTokens: v.inputTokens,
    toolOutputTokens: tool,
    share: v.inputTokens > 0 ? tool / v.inputTokens : null,
    byKind,
    listingAndSearchShare: tool > 0 ? (kind('listing') + kind('search')) / tool : null,
    codeShare: tool > 0 ? kind('code') / tool : null,
  };
}

const emptyAcc = (): ArmAccumulator => ({
  tokens: ZERO_TOKENS,
  cost: { input: 0n, output: 0n, total: 0n },
  extended: 0,
  turns: 0,
  upstreamRequests: 0,
});

function addAcc(into: ArmAccumulator, a: ArmAccumulator): void {
  into.tokens = addTokens(into.tokens, a.tokens);
  into.cost = {
    input: into.cost.input + a.cost.input,
    output: into.cost.output + a.cost.output,
    total: into.cost.total + a.cost.total,
  };
  into.extended += a.extended;
  into.turns += a.turns;
  into.upstreamRequests += a.upstreamRequests;
}

export interface ConversationOutcome {
  readonly plan: ConversationPlan;
  readonly runs: readonly ArmConversationRun[];
  readonly toolShare: ToolShare;
}

/** Fold the arms' runs into per-conversation and total reports. */
export function buildReport(
  file: string,
  format: TranscriptFormat,
  outcomes: readonly ConversationOutcome[],
  skippedLines: number,
  elapsedSeconds: number,
): ReplayReport {
  const totals = new Map<ArmName, ArmAccumulator>();
  let sent = EMPTY_SHARE_VIEW;
  let unique = EMPTY_SHARE_VIEW;
  let turns = 0;
  const conversations: ConversationReport[] = [];
  for (const { plan, runs, toolShare } of outcomes) {
    turns += plan.requests.length;
    sent = addShareViews(sent, toolShare.sent);
    unique = addShareViews(unique, toolShare.unique);
    const accs = new Map<ArmName, ArmAccumulator>();
    const direct = runs.find((r) => r.arm === 'direct');
    const directExt = direct ? prefixExtensions(direct.upstreamBodies) : null;
    for (const run of runs) {
      const tokens = run.turns.reduce((sum, t) => addTokens(sum, t.usage), ZERO_TOKENS);
      const ext = run.arm === 'direct' ? directExt! : prefixExtensions(run.upstreamBodies);
      // The Leeway arm is judged on the turns where the client itself kept its prefix.
      const aligned = run.arm !== 'direct' && directExt !== null && directExt.length === ext.length;
      let extended = 0;
      let considered = 0;
      ext.forEach((e, i) => {
        if (aligned && !directExt[i]) return;
        considered++;
        if (e) extended++;
      });
      const acc: ArmAccumulator = {
        tokens,
        cost: costOf(tokens, plan.price),
        extended,
        turns: considered,
        upstreamRequests: run.upstreamBodies.length,
      };
      accs.set(run.arm, acc);
      const total = totals.get(run.arm) ?? emptyAcc();
      addAcc(total, acc);
      totals.set(run.arm, total);
    }
    const c = plan.conversation;
    conversations.push({
      id: c.id,
      format: c.format,
      transcriptModel: c.model,
      provider: plan.provider,
      api: plan.api,
      model: plan.model,
      priceLabel: plan.price.label,
      priceId: plan.price.row.id,
      client: plan.client,
      verbatim: plan.verbatim,
      turns: plan.requests.length,
      systemPrompt:
        c.system === null || c.system.length === 0 ? 'absent' : c.systemPartial ? 'partial' : 'recorded',
      toolSchemas: plan.toolSchemas,
      arms: Object.fromEntries([...accs.entries()].map(([k, v]) => [k, armReport(v)])),
      saving: saving(accs.get('direct'), accs.get('leeway')),
      toolShare: { sent: shareReport(toolShare.sent), unique: shareReport(toolShare.unique) },
      recordedUsage: c.recordedUsage ?? null,
      notes: plan.notes,
    });
  }
  return {
    file,
    format,
    conversations,
    flags: {
      missingSystemPrompt: conversations.some((c) => c.systemPrompt !== 'recorded'),
      missingToolSchemas: conversations.some((c) => c.toolSchemas === 'reconstructed'),
    },
    total: {
      turns,
      arms: Object.fromEntries([...totals.entries()].map(([k, v]) => [k, armReport(v)])),
      saving: saving(totals.get('direct'), totals.get('leeway')),
      toolShare: { sent: shareReport(sent), unique: shareReport(unique) },
    },
    skippedLines,
    elapsedSeconds,
  };
}

// ── human report ──────────────────────────────────────────────────────────────────────────────────

const FORMAT_NAMES: Record<TranscriptFormat, string> = {
  'swe-agent-traj': 'SWE-agent trajectory',
  'nebius-swe-agent': 'nebius SWE-agent trajectories',
  openhands: 'OpenHands trajectories',
  'swe-smith': 'SWE-smith trajectories',
  'claude-code': 'Claude Code session',
  'codex-rollout': 'Codex CLI rollout',
  'codex-rollout-legacy': 'Codex CLI rollout (older layout)',
  'raw-anthropic': 'raw Anthropic requests',
  'raw-openai-chat': 'raw OpenAI Chat Completions requests',
  'raw-openai-responses': 'raw OpenAI Responses requests',
};

const pad = (s: string | number, n: number): string => String(s).padStart(n);
const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const usd = (x: number): string => (Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(4));
const times = (x: number | null): string => (x === null ? '-' : `${x.toFixed(3)}×`);

function armLine(label: string, arm: string, a: ArmReport): string {
  const t = a.tokens;
  return (
    `${label.slice(0, 30).padEnd(31)}${arm.padEnd(7)}${pad(t.input, 10)}${pad(t.cacheWrite5m, 10)}${pad(t.cacheWrite1h, 9)}` +
    `${pad(t.cacheRead, 11)}${pad(t.output, 9)}${pad(usd(a.costUsd.input), 10)}${pad(usd(a.costUsd.total), 10)}${pad(pct(a.prefixStability.rate), 8)}`
  );
}

function shareLine(s: ToolShareReport): string {
  const kinds = (Object.entries(s.byKind) as [SegmentKind, { tokens: number; share: number }][])
    .sort((a, b) => b[1].tokens - a[1].tokens)
    .map(([k, v]) => `${k} ${pct(v.share)}`)
    .join(', ');
  return `${pct(s.share)} of ${s.inputTokens} input tokens (${kinds || 'none'}); listing+search ${pct(s.listingAndSearchShare)}, code ${pct(s.codeShare)}`;
}

export function formatReport(r: ReplayReport): string {
  const out: string[] = [];
  const first = r.conversations[0]!;
  out.push(`Leeway replay — ${r.file}`);
  const models = new Map<string, number>();
  for (const c of r.conversations) {
    const key = `${c.model} at list prices (${c.priceLabel})`;
    models.set(key, (models.get(key) ?? 0) + 1);
  }
  const modelText = [...models.entries()].map(([m, n]) => (models.size > 1 ? `${m} ×${n}` : m)).join(', ');
  out.push(
    `${FORMAT_NAMES[r.format]}: ${r.conversations.length} conversation(s), ${r.total.turns} turns · ${first.provider} (${first.api}) · ` +
      `client ${first.client} · ${modelText}`,
  );
  if (r.flags.missingSystemPrompt) {
    out.push(
      `! The transcript holds no (or only part of the) system prompt${r.flags.missingToolSchemas ? ' and no tool schemas (reconstructed from the calls)' : ''}: ` +
        "the agent's real requests were larger (and cached differently), so real costs are higher than shown.",
    );
  } else if (r.flags.missingToolSchemas) {
    out.push('! The transcript holds no tool schemas: they were reconstructed from the recorded calls.');
  }
  if (r.skippedLines > 0) out.push(`! ${r.skippedLines} line(s) were not JSON and were skipped.`);
  out.push('');
  out.push(
    `${'conversation'.padEnd(31)}${'arm'.padEnd(7)}${pad('uncached', 10)}${pad('write 5m', 10)}${pad('write 1h', 9)}${pad('cache read', 11)}` +
      `${pad('output', 9)}${pad('input $', 10)}${pad('total $', 10)}${pad('prefix', 8)}`,
  );
  const rows = (label: string, arms: ConversationReport['arms'], sav: SavingReport | null): void => {
    let l = label;
    for (const name of ['direct', 'leeway'] as const) {
      const a = arms[name];
      if (!a) continue;
      out.push(armLine(l, name, a));
      l = '';
    }
    if (sav) {
      out.push(
        `${''.padEnd(31)}saving $${usd(sav.usd)} · Leeway ÷ direct: total ${times(sav.ratio)}, input ${times(sav.inputRatio)}`,
      );
    }
  };
  const label = (id: string, turns: number): string => {
    const suffix = ` (${turns})`;
    return id.length + suffix.length > 30 ? `${id.slice(0, 29 - suffix.length)}…${suffix}` : `${id}${suffix}`;
  };
  for (const c of r.conversations) rows(label(c.id, c.turns), c.arms, c.saving);
  if (Object.keys(r.total.arms).length === 0)
    out.push('(no arm run: --arms none — transcript analysis only)');
  if (r.conversations.length > 1) {
    out.push('');
    rows(`TOTAL (${r.total.turns} turns)`, r.total.arms, r.total.saving);
  }
  out.push('');
  out.push(`tool outputs, as sent over all turns: ${shareLine(r.total.toolShare.sent)}`);
  out.push(`tool outputs, final history only:     ${shareLine(r.total.toolShare.unique)}`);
  const recorded = r.conversations.filter((c) => c.recordedUsage !== null);
  for (const c of recorded) {
    const u = c.recordedUsage!;
    out.push(
      `recorded usage of the original session (${c.id}): uncached ${u.inputTokens}, cache write ${u.cacheWriteTokens}, ` +
        `cache read ${u.cacheReadTokens}, output ${u.outputTokens}`,
    );
  }
  const notes = [...new Set(r.conversations.flatMap((c) => c.notes))];
  if (notes.length > 0) {
    out.push('');
    out.push('notes:');
    for (const n of notes) out.push(`  - ${n}`);
  }
  out.push('');
  out.push(
    "prefix = share of turns whose body, as the upstream received it, extends the previous turn's byte for byte " +
      '(canonical: whitespace and cache_control markers ignored) through its last message; ' +
      'for Leeway, over the turns where the client itself kept its prefix.',
  );
  out.push(`replayed in ${r.elapsedSeconds.toFixed(1)} s`);
  return `${out.join('\n')}\n`;
}
