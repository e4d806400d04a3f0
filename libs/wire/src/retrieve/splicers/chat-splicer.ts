/**
 * Chat Completions stream splicer (see `../stream-splicer.ts` for the contract). Choice 0 only (the proxy
 * does not splice `n > 1` requests; other choices pass through untouched).
 *
 * Content deltas stream through at once. Tool calls are tracked by upstream `tool_calls[].index`:
 * `leeway_retrieve` calls are hidden (arguments collected); client calls are held until the finish chunk
 * (released with the next client indices when the round has no retrieve call, withheld otherwise). Round
 * ≥ 2 chunks take round 1's `id` and `created`, lose the repeated `role`, and a blank line separates the
 * rounds' text unless the earlier text ends in whitespace. One finish chunk, one usage chunk (summed; only
 * when the client asked for usage), one `[DONE]`.
 */
import type { SseEvent } from '../../sse-parser';
import { usageFromOpenAiChat, type NormalizedUsage, type StreamOutcome } from '../../usage';
import { roundSeparator, type AssistantTurn, type WithheldCall } from '../assistant-turn';
import { parseRetrieveCall, type RetrieveCall } from '../retrieve-calls';
import type { SpliceError, SpliceRoundEnd, StreamSplicer } from '../stream-splicer';
import { RETRIEVE_TOOL_NAME } from '../tool-definitions';
import { sumUsageObjects } from '../usage-sum';
import { isRecord, Out, parseEventData, sseEvent, str, type Json } from './sse-out';

interface ToolCall {
  readonly upstream: number;
  kind: 'hidden' | 'held' | 'visible' | 'withheld';
  clientIndex: number | null;
  id: string | null;
  name: string;
  args: string;
  /** Fragments as received (for release), with the chunk's bytes when the chunk held nothing else. */
  readonly fragments: { readonly entry: Json; readonly raw: Uint8Array | null }[];
}

class ChatRound {
  readonly calls = new Map<number, ToolCall>();
  readonly order: ToolCall[] = [];
  text = '';
  usage: Json | null = null;
  finishChunk: Json | null = null;
  finishRaw: Uint8Array | null = null;
  sawDone = false;
  error = false;
  continuing = false;
  retrieve: RetrieveCall[] = [];
}

const TRUNCATED_FINISH = new Set(['length', 'content_filter']);

export class ChatStreamSplicer implements StreamSplicer {
  readonly api = 'openai-chat' as const;
  round = 1;
  closed = false;
  private r = new ChatRound();
  private readonly usages: (Json | null)[] = [];
  private template: Json | null = null;
  private nextToolIndex = 0;
  /** The client's content so far (for the round separator). */
  private sentText = '';
  private modified = false;
  private readonly out = new Out();

  constructor(private readonly clientWantsUsage: boolean) {}

  push(event: SseEvent): Buffer {
    if (this.closed) return Buffer.alloc(0);
    const r = this.r;
    if (event.data === '[DONE]') {
      r.sawDone = true;
      if (!r.continuing) {
        this.releaseHeld();
        this.out.raw(event.raw);
        this.closed = true;
      }
      return this.out.take();
    }
    const data = parseEventData(event);
    if (data === null) {
      this.out.raw(event.raw); // comments, keep-alives
      return this.out.take();
    }
    if (event.event === 'error' || data['error'] !== undefined) {
      r.error = true;
      this.releaseHeld();
      this.out.raw(event.raw);
      this.closed = true;
      return this.out.take();
    }
    const { choices, ...rest } = data;
    if (this.template === null) this.template = rest;
    if (isRecord(data['usage'])) r.usage = data['usage'];
    const list = Array.isArray(choices) ? (choices as unknown[]) : [];
    if (list.length === 0) {
      // The usage-only chunk (include_usage), after the finish chunk.
      if (r.continuing || !this.clientWantsUsage) return this.out.take();
      if (!this.modified && this.round === 1) this.out.raw(event.raw);
      else this.out.text(sseEvent(event.event, { ...this.rebase(rest), choices: [], usage: this.summedUsage() }));
      return this.out.take();
    }
    let changed = this.round > 1;
    const kept: unknown[] = [];
    for (const choice of list) {
      if (!isRecord(choice) || (choice['index'] ?? 0) !== 0) {
        kept.push(choice);
        continue;
      }
      const result = this.choice(choice, event, data);
      if (result.changed) changed = true;
      if (result.choice !== null) kept.push(result.choice);
    }
    if (kept.length === 0) return this.out.take();
    if (!changed) this.out.raw(event.raw);
    else {
      this.modified = true;
      this.out.text(sseEvent(event.event, { ...this.rebase(rest), choices: kept }));
    }
    return this.out.take();
  }

  /** Processes choice 0 of a chunk: returns what to send of it (null: nothing). */
  private choice(choice: Json, event: SseEvent, data: Json): { choice: Json | null; changed: boolean } {
    const r = this.r;
    const delta = isRecord(choice['delta']) ? { ...choice['delta'] } : {};
    let changed = false;
    if (this.round > 1 && 'role' in delta) {
      delete delta['role'];
      changed = true;
    }
    const content = str(delta['content']);
    if (content !== null && content.length > 0) {
      const sep = r.text.length === 0 && this.round > 1 ? roundSeparator(this.sentText, content) : '';
      r.text += content;
      if (sep.length > 0) {
        delta['content'] = sep + content;
        changed = true;
      }
      this.sentText += sep + content;
    }
    const calls = Array.isArray(delta['tool_calls']) ? (delta['tool_calls'] as unknown[]) : null;
    // A chunk that is one tool-call fragment and nothing else can later be released byte for byte.
    const soleFragment =
      calls !== null && calls.length === 1 && Object.keys(delta).length === 1 && (choice['finish_reason'] ?? null) === null && (data['choices'] as unknown[]).length === 1;
    if (calls !== null) {
      const visible: Json[] = [];
      let heldOrHidden = false;
      for (const c of calls) {
        if (!isRecord(c)) continue;
        const idx = typeof c['index'] === 'number' ? c['index'] : 0;
        let call = r.calls.get(idx);
        const fn = isRecord(c['function']) ? c['function'] : {};
        if (!call) {
          const name = str(fn['name']) ?? '';
          call = { upstream: idx, kind: name === RETRIEVE_TOOL_NAME ? 'hidden' : 'held', clientIndex: null, id: null, name, args: '', fragments: [] };
          r.calls.set(idx, call);
          r.order.push(call);
        }
        call.id = str(c['id']) ?? call.id;
        if (str(fn['name'])) call.name = str(fn['name'])!;
        call.args += str(fn['arguments']) ?? '';
        if (call.kind === 'visible') {
          visible.push({ ...c, index: call.clientIndex });
          if (call.clientIndex !== idx) changed = true;
        } else {
          heldOrHidden = true;
          if (call.kind === 'held') call.fragments.push({ entry: c, raw: soleFragment && this.round === 1 ? event.raw : null });
          if (call.kind === 'hidden') this.modified = true;
        }
      }
      if (heldOrHidden) {
        changed = true;
        if (visible.length > 0) delta['tool_calls'] = visible;
        else delete delta['tool_calls'];
      }
    }
    const finish = choice['finish_reason'];
    if (finish !== null && finish !== undefined) {
      r.finishChunk = { ...data, choices: [{ ...choice, delta: {} }] };
      r.finishRaw = event.raw;
      r.retrieve = r.order.filter((c) => c.kind === 'hidden').map((c) => parseRetrieveCall(c.id ?? '', c.args));
      r.continuing = r.retrieve.length > 0 && !TRUNCATED_FINISH.has(str(finish) ?? '');
      if (r.continuing) {
        for (const c of r.order) if (c.kind === 'held') c.kind = 'withheld';
        if (r.order.some((c) => c.kind === 'withheld')) this.modified = true;
        // anything visible in the finish chunk's delta still goes out; the finish itself does not
        const rest = this.meaningful(delta) ? { ...choice, delta, finish_reason: null } : null;
        return { choice: rest, changed: true };
      }
      this.releaseHeld();
      const hiddenOnly = r.retrieve.length > 0 && !r.order.some((c) => c.kind === 'visible');
      if (hiddenOnly && finish === 'tool_calls') return { choice: { ...choice, delta, finish_reason: 'stop' }, changed: true };
      return { choice: changed ? { ...choice, delta } : choice, changed };
    }
    if (!this.meaningful(delta) && choice['logprobs'] == null) return { choice: null, changed: true };
    return { choice: changed ? { ...choice, delta } : choice, changed };
  }

  private meaningful(delta: Json): boolean {
    return Object.entries(delta).some(([k, v]) => v !== null && v !== undefined && !(k === 'content' && v === '') && !(k === 'refusal' && v === null));
  }

  /** Round ≥ 2 chunks carry round 1's id and created (one completion for the client). */
  private rebase(rest: Json): Json {
    if (this.round === 1 || this.template === null) return rest;
    return { ...rest, id: this.template['id'], created: this.template['created'] ?? rest['created'] };
  }

  /** Sends held client calls (now visible) as chunks with their client indices. */
  private releaseHeld(statusFrom: 'held' | 'withheld' = 'held'): number {
    const r = this.r;
    let n = 0;
    for (const call of r.order) {
      if (call.kind !== statusFrom) continue;
      call.kind = 'visible';
      call.clientIndex = this.nextToolIndex++;
      if (call.clientIndex !== call.upstream || this.round > 1) this.modified = true;
      const base = this.rebase(this.template ?? {});
      for (const f of call.fragments) {
        if (f.raw !== null && call.clientIndex === call.upstream && this.round === 1) {
          this.out.raw(f.raw);
          continue;
        }
        const chunk = { ...base, choices: [{ index: 0, delta: { tool_calls: [{ ...f.entry, index: call.clientIndex }] }, logprobs: null, finish_reason: null }] };
        this.out.text(sseEvent(null, chunk));
      }
      n++;
    }
    return n;
  }

  private summedUsage(): Json | null {
    return sumUsageObjects(this.allUsages());
  }

  private allUsages(): (Json | null)[] {
    const list = this.usages.slice(0, this.round - 1);
    list.push(this.r.usage);
    return list;
  }

  endRound(): SpliceRoundEnd {
    const r = this.r;
    this.usages[this.round - 1] = r.usage;
    if (r.continuing && !this.closed) {
      const text = r.text;
      const toolCalls = r.order
        .filter((c) => c.kind === 'hidden')
        .map((c) => ({ id: c.id ?? '', type: 'function', function: { name: c.name, arguments: c.args } }));
      const items = [{ role: 'assistant', content: text.length > 0 ? text : null, tool_calls: toolCalls }];
      const withheldCalls: WithheldCall[] = r.order.filter((c) => c.kind === 'withheld').map((c) => ({ id: c.id, name: c.name }));
      return { status: 'continue', turn: { api: this.api, items, retrieveCalls: [...r.retrieve], withheldCalls } satisfies AssistantTurn, out: this.out.take() };
    }
    if (!this.closed) this.releaseHeld();
    const outcome: StreamOutcome = r.error ? 'error' : r.sawDone ? 'complete' : 'truncated';
    this.closed = true;
    return { status: 'done', outcome, out: this.out.take() };
  }

  beginRound(): void {
    if (this.closed) throw new Error('ChatStreamSplicer: beginRound after the client stream closed');
    if (!this.r.continuing) throw new Error('ChatStreamSplicer: beginRound without a continued round');
    this.usages[this.round - 1] = this.r.usage;
    this.round++;
    this.r = new ChatRound();
  }

  finish(): Buffer {
    if (this.closed) return Buffer.alloc(0);
    const r = this.r;
    const released = this.releaseHeld('withheld');
    const base = this.rebase(this.template ?? { object: 'chat.completion.chunk' });
    const finishChoice = isRecord(r.finishChunk) && Array.isArray(r.finishChunk['choices']) ? (r.finishChunk['choices'] as Json[])[0] : null;
    const choice = { ...(finishChoice ?? { index: 0, logprobs: null }), delta: {}, finish_reason: released > 0 ? 'tool_calls' : 'stop' };
    this.out.text(sseEvent(null, { ...base, choices: [choice] }));
    const usage = this.summedUsage();
    if (this.clientWantsUsage && usage !== null) this.out.text(sseEvent(null, { ...base, choices: [], usage }));
    this.out.text('data: [DONE]\n\n');
    this.closed = true;
    return this.out.take();
  }

  fail(error: SpliceError): Buffer {
    if (this.closed) return Buffer.alloc(0);
    this.closed = true;
    this.out.text(sseEvent(null, { error: { message: error.message, type: error.type, param: null, code: null } }));
    return this.out.take();
  }

  keepAlive(): Buffer {
    return this.closed ? Buffer.alloc(0) : Buffer.from(': keep-alive\n\n');
  }

  roundUsages(): NormalizedUsage[] {
    return this.allUsages().map((u) => usageFromOpenAiChat(u));
  }

  totalUsage(): NormalizedUsage {
    const sum = this.summedUsage();
    return usageFromOpenAiChat(sum);
  }
}
