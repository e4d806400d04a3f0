/**
 * Anthropic Messages stream splicer (see `../stream-splicer.ts` for the contract).
 *
 * Per content block (by upstream `index`): `visible` blocks go to the client with the next client index;
 * `hidden` blocks are `leeway_retrieve` tool_use blocks (never shown, their input collected); `held`
 * blocks are client tool_use blocks, kept until the round's `message_delta` decides (released when the
 * round has no retrieve call, withheld otherwise); `lazy` text blocks are opened only once a non-empty
 * text delta arrives (dropped if they end empty). Events queue behind an undecided (held/lazy) block so
 * the client sees upstream's order. Round ≥ 2's `message_start` is swallowed (its usage recorded); the
 * final `message_delta` carries the usage summed over rounds.
 */
import type { SseEvent } from '../../sse-parser';
import { usageFromAnthropic, type NormalizedUsage, type StreamOutcome } from '../../usage';
import type { AssistantTurn, WithheldCall } from '../assistant-turn';
import { parseRetrieveCall, type RetrieveCall } from '../retrieve-calls';
import type { SpliceError, SpliceRoundEnd, StreamSplicer } from '../stream-splicer';
import { RETRIEVE_TOOL_NAME } from '../tool-definitions';
import { sumUsageObjects } from '../usage-sum';
import { isRecord, Out, parseEventData, parseJsonObject, sseEvent, str, type Json } from './sse-out';

type BlockKind = 'visible' | 'lazy' | 'held' | 'hidden' | 'dropped' | 'withheld';

interface Block {
  readonly upstream: number;
  kind: BlockKind;
  clientIndex: number | null;
  readonly start: Json;
  text: string;
  thinking: string;
  signature: string | null;
  json: string;
  stopped: boolean;
}

interface Entry {
  readonly block: Block | null;
  readonly name: string | null;
  /** Parsed data (null for comments / unparseable events, which are always sent raw). */
  readonly data: Json | null;
  readonly raw: Uint8Array;
}

const TRUNCATED_STOPS = new Set(['max_tokens', 'model_context_window_exceeded']);

function mergeUsage(into: Json, usage: unknown): void {
  if (!isRecord(usage)) return;
  for (const [k, v] of Object.entries(usage)) if (v !== null && v !== undefined) into[k] = v;
}

class AnthropicRound {
  readonly blocks = new Map<number, Block>();
  readonly order: Block[] = [];
  pending: Entry[] = [];
  withheld: Entry[] = [];
  readonly usage: Json = {};
  readonly retrieve: RetrieveCall[] = [];
  messageDelta: Json | null = null;
  sawDelta = false;
  sawStop = false;
  error = false;
  /** Set at `message_delta`: the round ended in retrieve calls and will be continued. */
  continuing = false;
}

export class AnthropicStreamSplicer implements StreamSplicer {
  readonly api = 'anthropic-messages' as const;
  round = 1;
  closed = false;
  private r = new AnthropicRound();
  private readonly usages: Json[] = [];
  private nextIndex = 0;
  /** Whether anything was hidden, dropped, withheld or re-indexed: then terminal events are re-built. */
  private modified = false;
  private lastDelta: Json | null = null;
  private readonly out = new Out();

  push(event: SseEvent): Buffer {
    if (this.closed) return Buffer.alloc(0);
    const data = parseEventData(event);
    const type = str(data?.['type']) ?? event.event;
    const r = this.r;
    switch (type) {
      case 'message_start': {
        mergeUsage(r.usage, isRecord(data?.['message']) ? data['message']['usage'] : undefined);
        if (this.round === 1) this.queue(null, event, data);
        break;
      }
      case 'content_block_start': {
        const index = typeof data?.['index'] === 'number' ? data['index'] : -1;
        const cb = isRecord(data?.['content_block']) ? data['content_block'] : {};
        const block: Block = { upstream: index, kind: this.classify(cb), clientIndex: null, start: cb, text: str(cb['text']) ?? '', thinking: str(cb['thinking']) ?? '', signature: str(cb['signature']), json: '', stopped: false };
        if (block.kind === 'hidden') this.modified = true;
        r.blocks.set(index, block);
        r.order.push(block);
        if (block.kind !== 'hidden') this.queue(block, event, data);
        break;
      }
      case 'content_block_delta': {
        const block = r.blocks.get(typeof data?.['index'] === 'number' ? data['index'] : -1) ?? null;
        const delta = isRecord(data?.['delta']) ? data['delta'] : {};
        if (block) {
          switch (delta['type']) {
            case 'text_delta': {
              const t = str(delta['text']) ?? '';
              block.text += t;
              if (block.kind === 'lazy' && t.length > 0) block.kind = 'visible';
              break;
            }
            case 'thinking_delta':
              block.thinking += str(delta['thinking']) ?? '';
              break;
            case 'signature_delta':
              block.signature = str(delta['signature']) ?? block.signature;
              break;
            case 'input_json_delta':
              block.json += str(delta['partial_json']) ?? '';
              break;
            default:
              break;
          }
        }
        if (block?.kind !== 'hidden') this.queue(block, event, data);
        break;
      }
      case 'content_block_stop': {
        const block = r.blocks.get(typeof data?.['index'] === 'number' ? data['index'] : -1) ?? null;
        if (block) {
          block.stopped = true;
          if (block.kind === 'lazy') {
            block.kind = 'dropped';
            this.modified = true;
          }
          if (block.kind === 'hidden') {
            const input = block.json.length > 0 ? parseJsonObject(block.json) : block.start['input'];
            r.retrieve.push(parseRetrieveCall(str(block.start['id']) ?? '', input));
          }
        }
        if (block?.kind !== 'hidden') this.queue(block, event, data);
        break;
      }
      case 'message_delta': {
        r.sawDelta = true;
        r.messageDelta = data;
        mergeUsage(r.usage, data?.['usage']);
        const delta = isRecord(data?.['delta']) ? data['delta'] : {};
        r.continuing = r.retrieve.length > 0 && !TRUNCATED_STOPS.has(str(delta['stop_reason']) ?? '');
        this.decide(r.continuing);
        if (!r.continuing) {
          this.lastDelta = data;
          if (this.modified || this.round > 1) this.out.text(sseEvent('message_delta', this.finalDelta(data ?? {}, r)));
          else this.out.raw(event.raw);
        }
        break;
      }
      case 'message_stop': {
        r.sawStop = true;
        this.flush();
        if (!r.continuing) {
          this.out.raw(event.raw);
          this.closed = true;
        }
        break;
      }
      case 'error': {
        r.error = true;
        this.decide(false);
        this.out.raw(event.raw);
        this.closed = true;
        break;
      }
      default:
        this.queue(null, event, data);
        break;
    }
    return this.out.take();
  }

  endRound(): SpliceRoundEnd {
    const r = this.r;
    this.usages[this.round - 1] = r.usage;
    if (r.continuing && r.sawStop && !this.closed) {
      const items = [{ role: 'assistant', content: this.turnContent(r) }];
      const withheldCalls: WithheldCall[] = r.order.filter((b) => b.kind === 'withheld').map((b) => ({ id: str(b.start['id']), name: str(b.start['name']) ?? '' }));
      return { status: 'continue', turn: { api: this.api, items, retrieveCalls: [...r.retrieve], withheldCalls } satisfies AssistantTurn, out: this.out.take() };
    }
    // Cut short (or continuing without message_stop): release what upstream sent, as it came.
    if (!this.closed) {
      this.decide(false);
      if (r.continuing) this.releaseWithheld();
    }
    const outcome: StreamOutcome = r.error ? 'error' : this.closed ? 'complete' : 'truncated';
    this.closed = true;
    return { status: 'done', outcome, out: this.out.take() };
  }

  beginRound(): void {
    if (this.closed) throw new Error('AnthropicStreamSplicer: beginRound after the client stream closed');
    if (!this.r.continuing) throw new Error('AnthropicStreamSplicer: beginRound without a continued round');
    this.usages[this.round - 1] = this.r.usage;
    this.round++;
    this.r = new AnthropicRound();
  }

  finish(): Buffer {
    if (this.closed) return Buffer.alloc(0);
    const r = this.r;
    const released = this.releaseWithheld();
    const stop = released > 0 ? 'tool_use' : 'end_turn';
    const base = r.messageDelta ?? this.lastDelta ?? { type: 'message_delta', delta: { stop_sequence: null } };
    this.out.text(sseEvent('message_delta', this.finalDelta(base, r, stop)));
    this.out.text(sseEvent('message_stop', { type: 'message_stop' }));
    this.closed = true;
    return this.out.take();
  }

  fail(error: SpliceError): Buffer {
    if (this.closed) return Buffer.alloc(0);
    this.closed = true;
    this.out.text(sseEvent('error', { type: 'error', error: { type: error.type, message: error.message } }));
    return this.out.take();
  }

  keepAlive(): Buffer {
    return this.closed ? Buffer.alloc(0) : Buffer.from(sseEvent('ping', { type: 'ping' }));
  }

  roundUsages(): NormalizedUsage[] {
    return this.allUsages().map((u) => usageFromAnthropic(u));
  }

  totalUsage(): NormalizedUsage {
    return usageFromAnthropic(sumUsageObjects(this.allUsages()) ?? {});
  }

  // ---- internals ---------------------------------------------------------------------------------

  private allUsages(): Json[] {
    const list = this.usages.slice(0, this.round - 1);
    list.push(this.r.usage);
    return list;
  }

  private classify(cb: Json): BlockKind {
    if (cb['type'] === 'tool_use') return cb['name'] === RETRIEVE_TOOL_NAME ? 'hidden' : 'held';
    if (cb['type'] === 'text' && (str(cb['text']) ?? '').length === 0) return 'lazy';
    return 'visible';
  }

  private queue(block: Block | null, event: SseEvent, data: Json | null): void {
    this.r.pending.push({ block, name: event.event, data, raw: event.raw });
    this.flush();
  }

  /** Sends queued events up to the first undecided block. */
  private flush(): void {
    const pending = this.r.pending;
    let i = 0;
    for (; i < pending.length; i++) {
      const e = pending[i]!;
      const kind = e.block?.kind;
      if (kind === 'lazy' || kind === 'held') break;
      if (kind === 'hidden' || kind === 'dropped' || kind === 'withheld') continue;
      this.send(e);
    }
    this.r.pending = pending.slice(i);
  }

  private send(e: Entry): void {
    const block = e.block;
    if (block === null || e.data === null) {
      this.out.raw(e.raw);
      return;
    }
    if (block.clientIndex === null) block.clientIndex = this.nextIndex++;
    if (block.clientIndex === block.upstream && this.round === 1) {
      this.out.raw(e.raw);
      return;
    }
    this.modified = true;
    this.out.text(sseEvent(e.name ?? str(e.data['type']), { ...e.data, index: block.clientIndex }));
  }

  /** The round's decision: held client tool blocks are released (no retrieve) or withheld (retrieve). */
  private decide(continuing: boolean): void {
    const r = this.r;
    for (const b of r.order) {
      if (b.kind === 'held') b.kind = continuing ? 'withheld' : 'visible';
      if (b.kind === 'lazy' && (b.stopped || !continuing)) b.kind = b.text.length > 0 ? 'visible' : 'dropped';
    }
    if (continuing) {
      r.withheld = r.pending.filter((e) => e.block?.kind === 'withheld');
      if (r.withheld.length > 0) this.modified = true;
    }
    this.flush();
  }

  /** Sends the withheld client tool blocks of the current round; returns how many blocks were released. */
  private releaseWithheld(): number {
    const r = this.r;
    const blocks = new Set<Block>();
    for (const e of r.withheld) {
      if (e.block) {
        e.block.kind = 'visible';
        blocks.add(e.block);
      }
      this.send(e);
    }
    r.withheld = [];
    return blocks.size;
  }

  private finalDelta(base: Json, r: AnthropicRound, stopReason?: string): Json {
    const delta = isRecord(base['delta']) ? base['delta'] : {};
    const hiddenOnly = r.retrieve.length > 0 && !r.order.some((b) => b.kind === 'visible' && b.start['type'] === 'tool_use');
    const stop = stopReason ?? (hiddenOnly && delta['stop_reason'] === 'tool_use' ? 'end_turn' : delta['stop_reason']);
    this.usages[this.round - 1] = r.usage;
    return { ...base, type: 'message_delta', delta: { ...delta, stop_reason: stop ?? null }, usage: sumUsageObjects(this.allUsages()) ?? {} };
  }

  /** The assistant content to replay in the continuation (upstream order, withheld and empty blocks left out). */
  private turnContent(r: AnthropicRound): Json[] {
    const content: Json[] = [];
    for (const b of r.order) {
      if (b.kind === 'dropped' || b.kind === 'withheld') continue;
      const type = b.start['type'];
      if (type === 'text') {
        if (b.text.length > 0) content.push({ type: 'text', text: b.text });
      } else if (type === 'thinking') {
        content.push({ type: 'thinking', thinking: b.thinking, signature: b.signature ?? '' });
      } else if (type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use') {
        const input = b.json.length > 0 ? parseJsonObject(b.json) : (b.start['input'] ?? {});
        content.push({ ...b.start, input });
      } else {
        content.push(b.start);
      }
    }
    return content;
  }
}
