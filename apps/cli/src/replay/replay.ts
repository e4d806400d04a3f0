/**
 * `leeway replay` orchestration: plan every conversation of a transcript, start the arms (a fake upstream
 * for `direct`; a Leeway proxy in front of a second fake upstream for `leeway`), send every turn through
 * every arm, and fold the results into a report.
 */
import { encodingForModel, tokenCounter } from '@leeway/compression';
import type { TranscriptFile } from './readers/read-transcript';
import { planConversation, type PlanOptions } from './plan';
import { buildReport, type ConversationOutcome, type ReplayReport } from './report';
import { runConversation, type Arm, type ArmName, type UpstreamHandle } from './runner';
import { ToolShareCounter } from './tool-share';

/** A running Leeway proxy. */
export interface ProxyHandle {
  /** Base URL clients send to (no trailing `/v1`). */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** How the replay starts what it talks to (real fake upstream and proxy, or test doubles). */
export interface ArmEnvironment {
  startUpstream(): Promise<UpstreamHandle>;
  /** Start a proxy forwarding both providers to `upstreamBaseUrl`; null when no proxy is available. */
  startProxy: ((upstreamBaseUrl: string) => Promise<ProxyHandle>) | null;
}

export interface ReplayOptions extends PlanOptions {
  readonly arms: readonly ArmName[];
  /** Session label prefix sent as `x-leeway-session` (unique per run). */
  readonly sessionPrefix: string;
}

export async function replayTranscript(
  file: string,
  transcript: TranscriptFile,
  opts: ReplayOptions,
  env: ArmEnvironment,
  clock: () => number,
): Promise<ReplayReport> {
  const started = clock();
  const plans = transcript.conversations.map((c) => planConversation(c, opts));
  const closers: (() => Promise<void>)[] = [];
  try {
    const arms: Arm[] = [];
    if (opts.arms.includes('direct')) {
      const upstream = await env.startUpstream();
      closers.push(() => upstream.close());
      arms.push({ name: 'direct', clientBaseUrl: upstream.baseUrl, upstream });
    }
    if (opts.arms.includes('leeway') && env.startProxy) {
      const upstream = await env.startUpstream();
      closers.push(() => upstream.close());
      const proxy = await env.startProxy(upstream.baseUrl);
      closers.unshift(() => proxy.close());
      arms.push({ name: 'leeway', clientBaseUrl: proxy.baseUrl, upstream });
    }
    const outcomes: ConversationOutcome[] = [];
    const counters = new Map<string, ToolShareCounter>();
    for (const [i, plan] of plans.entries()) {
      const encoding = encodingForModel(plan.model);
      const counter = counters.get(encoding) ?? new ToolShareCounter(tokenCounter(encoding));
      counters.set(encoding, counter);
      const toolShare = counter.measure(plan.conversation, plan.turns, plan.tools);
      const runs = arms.length > 0 ? await runConversation(plan, arms, `${opts.sessionPrefix}-${i + 1}`) : [];
      outcomes.push({ plan, runs, toolShare });
    }
    return buildReport(
      file,
      transcript.format,
      outcomes,
      transcript.skippedLines,
      (clock() - started) / 1000,
    );
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}
