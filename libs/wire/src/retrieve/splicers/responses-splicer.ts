/**
 * Responses stream splicer (see `../stream-splicer.ts` for the contract).
 *
 * Output items are tracked by upstream `output_index`: `leeway_retrieve` function calls are hidden (their
 * events swallowed, the completed item kept for the continuation); client calls are held until the
 * round's terminal event (released, or withheld when the round continues); everything else is visible.
 * Every event sent carries the client's running `sequence_number` and `output_index`. Round ≥ 2's
 * `response.created` / `in_progress` are swallowed; the one `response.completed` carries every visible
 * item of all rounds and the usage summed over rounds, under the last round's response id (the response
 * stored upstream with the whole exchange, so `previous_response_id` chains from a valid conversation).
 */
import type { SseEvent } from '../../sse-parser';
import { usageFromOpenAiResponses, type NormalizedUsage, type StreamOutcome } from '../../usage';
import type { AssistantTurn, WithheldCall } from '../assistant-turn';
import { scrubResponsesToolEcho } from '../response-rounds';
import { parseRetrieveCall, type RetrieveCall } from '../retrieve-calls';
import type { SpliceError, SpliceRoundEnd, StreamSplicer } from '../stream-splicer';
import { RETRIEVE_TOOL_NAME } from '../tool-definitions';
import { sumUsageObjects } from '../usage-sum';
import { isRecord, Out, parseEventData, sseEvent, str, type Json } from './sse-out';

type ItemKind = 'visible' | 'held' | 'hidden' | 'withheld';

interface Item {
  readonly upstream: number;
  kind: ItemKind;
  clientIndex: number | null;
  readonly added: Json;
  done: Json | null;
  args: string;
}

interface Entry {
  readonly item: Item | null;
  readonly name: string | null;
  readonly data: Json | null;
  readonly raw: Uint8Array;
}

const CLIENT_CALL_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'computer_call']);
const OPENING = new Set(['response.created', 'response.in_progress', 'response.queued']);

class ResponsesRound {
  readonly items = new Map<number, Item>();
  readonly order: Item[] = [];
  pending: Entry[] = [];
  withheld: Entry[] = [];
  usage: Json | null = null;
  terminal: Json | null = null;
  terminalName: string | null = null;
  completed = false;
  error = false;
  continuing = false;
  retrieve: RetrieveCall[] = [];
}

export class ResponsesStreamSplicer implements StreamSplicer {
  readonly api = 'openai-responses' as const;
  round = 1;
  closed = false;
  private r = new ResponsesRound();
  private readonly usages: (Json | null)[] = [];
  private seq = 0;
  private nextOutputIndex = 0;
  /** Visible items by client output index (the final response's `output`). */
  private readonly visible: unknown[] = [];
  private modified = false;
  private lastTerminal: Json | null = null;
  private readonly out = new Out();

  push(event: SseEvent): Buffer {
    if (this.closed) return Buffer.alloc(0);
    const data = parseEventData(event);
    if (data === null) {
      this.queue(null, event, null);
      return this.out.take();
    }
    const type = str(data['type']) ?? event.event ?? '';
    const r = this.r;
    const response = isRecord(data['response']) ? data['response'] : null;
    if (response && isRecord(response['usage'])) r.usage = response['usage'];

    if (OPENING.has(type)) {
      if (this.round === 1) this.queue(null, event, data);
      else this.modified = true;
      return this.out.take();
    }
    const failedEcho = type === 'response.failed' ? scrubResponsesToolEcho(response) : null;
    if (failedEcho) data['response'] = failedEcho;
    if (type === 'response.completed' || type === 'response.incomplete') {
      r.terminal = data;
      r.terminalName = event.event;
      r.completed = true;
      r.retrieve = r.order.filter((i) => i.kind === 'hidden').map((i) => parseRetrieveCall(str((i.done ?? i.added)['call_id']) ?? '', i.done?.['arguments'] ?? i.args));
      r.continuing = r.retrieve.length > 0 && type === 'response.completed';
      this.decide(r.continuing);
      if (!r.continuing) {
        this.sendTerminal({ name: event.event, raw: event.raw }, data, response);
        this.closed = true;
      }
      return this.out.take();
    }
    if (type === 'response.failed' || type === 'error') {
      r.error = true;
      this.decide(false);
      this.sendRenumbered({ name: event.event, raw: event.raw }, data, null, failedEcho !== null);
      this.closed = true;
      return this.out.take();
    }
    const outputIndex = typeof data['output_index'] === 'number' ? data['output_index'] : null;
    let item = outputIndex === null ? null : (r.items.get(outputIndex) ?? null);
    if (type === 'response.output_item.added' && outputIndex !== null) {
      const added = isRecord(data['item']) ? data['item'] : {};
      const itemType = str(added['type']) ?? '';
      const kind: ItemKind =
        itemType === 'function_call' && added['name'] === RETRIEVE_TOOL_NAME ? 'hidden' : CLIENT_CALL_TYPES.has(itemType) ? 'held' : 'visible';
      item = { upstream: outputIndex, kind, clientIndex: null, added, done: null, args: '' };
      if (kind === 'hidden') this.modified = true;
      r.items.set(outputIndex, item);
      r.order.push(item);
    }
    if (item) {
      if (type === 'response.output_item.done' && isRecord(data['item'])) item.done = data['item'];
      if (type === 'response.function_call_arguments.delta') item.args += str(data['delta']) ?? '';
      if (type === 'response.function_call_arguments.done') item.args = str(data['arguments']) ?? item.args;
      if (item.kind === 'hidden') return this.out.take();
    }
    this.queue(item, event, data);
    return this.out.take();
  }

  private queue(item: Item | null, event: SseEvent, data: Json | null): void {
    this.r.pending.push({ item, name: event.event, data, raw: event.raw });
    this.flush();
  }

  private flush(): void {
    const pending = this.r.pending;
    let i = 0;
    for (; i < pending.length; i++) {
      const e = pending[i]!;
      const kind = e.item?.kind;
      if (kind === 'held') break;
      if (kind === 'hidden' || kind === 'withheld') continue;
      this.send(e);
    }
    this.r.pending = pending.slice(i);
  }

  private send(e: Entry): void {
    if (e.data === null) {
      this.out.raw(e.raw);
      return;
    }
    const scrubbed = scrubResponsesToolEcho(e.data['response']);
    if (scrubbed) {
      // the response object echoes the request's tools: Leeway's retrieve tool is not shown
      this.sendRenumbered(e, { ...e.data, response: scrubbed }, null, true);
      return;
    }
    const item = e.item;
    if (item && item.clientIndex === null) item.clientIndex = this.nextOutputIndex++;
    if (item && e.data['type'] === 'response.output_item.done') this.visible[item.clientIndex!] = e.data['item'];
    this.sendRenumbered(e, e.data, item);
  }

  /** Sends an event with the client's sequence number (and output index); raw when both are unchanged. */
  private sendRenumbered(e: { name: string | null; raw: Uint8Array }, data: Json, item: Item | null, rebuilt = false): void {
    const seq = this.seq++;
    const sameSeq = data['sequence_number'] === undefined || data['sequence_number'] === seq;
    const sameIndex = item === null || item.clientIndex === item.upstream;
    if (sameSeq && sameIndex && this.round === 1 && !rebuilt) {
      this.out.raw(e.raw);
      return;
    }
    if (!rebuilt || this.round > 1) this.modified = true;
    const next: Json = { ...data };
    if (data['sequence_number'] !== undefined) next['sequence_number'] = seq;
    if (item !== null && data['output_index'] !== undefined) next['output_index'] = item.clientIndex;
    this.out.text(sseEvent(e.name ?? str(data['type']), next));
  }

  private decide(continuing: boolean): void {
    const r = this.r;
    for (const i of r.order) if (i.kind === 'held') i.kind = continuing ? 'withheld' : 'visible';
    if (continuing) {
      r.withheld = r.pending.filter((e) => e.item?.kind === 'withheld');
      if (r.withheld.length > 0) this.modified = true;
    }
    this.flush();
  }

  private releaseWithheld(): number {
    const r = this.r;
    const items = new Set<Item>();
    for (const e of r.withheld) {
      if (e.item) {
        e.item.kind = 'visible';
        items.add(e.item);
      }
      this.send(e);
    }
    r.withheld = [];
    return items.size;
  }

  private sendTerminal(event: { name: string | null; raw: Uint8Array } | null, data: Json, response: Json | null): void {
    this.usages[this.round - 1] = this.r.usage;
    this.lastTerminal = data;
    const echo = scrubResponsesToolEcho(response);
    if (event !== null && !this.modified && echo === null && this.round === 1 && data['sequence_number'] === this.seq) {
      this.seq++;
      this.out.raw(event.raw);
      return;
    }
    if (!this.modified && this.round === 1 && echo !== null) {
      // nothing spliced: upstream's response as it came, minus the echoed retrieve tool
      this.out.text(sseEvent(event?.name ?? str(data['type']), { ...data, sequence_number: this.seq++, response: echo }));
      return;
    }
    const merged: Json = { ...(echo ?? response ?? {}), output: this.visible.filter((v) => v !== undefined), usage: sumUsageObjects(this.allUsages()) ?? response?.['usage'] ?? null };
    const name = event?.name ?? str(data['type']) ?? 'response.completed';
    this.out.text(sseEvent(name, { ...data, sequence_number: this.seq++, response: merged }));
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
      const items = r.order.filter((i) => i.kind === 'visible' || i.kind === 'hidden').map((i) => i.done ?? { ...i.added, arguments: i.args });
      const withheldCalls: WithheldCall[] = r.order
        .filter((i) => i.kind === 'withheld')
        .map((i) => ({ id: str((i.done ?? i.added)['call_id']), name: str((i.done ?? i.added)['name']) ?? str(i.added['type']) ?? '' }));
      return { status: 'continue', turn: { api: this.api, items, retrieveCalls: [...r.retrieve], withheldCalls } satisfies AssistantTurn, out: this.out.take() };
    }
    if (!this.closed) this.decide(false);
    const outcome: StreamOutcome = r.error ? 'error' : r.completed ? 'complete' : 'truncated';
    this.closed = true;
    return { status: 'done', outcome, out: this.out.take() };
  }

  beginRound(): void {
    if (this.closed) throw new Error('ResponsesStreamSplicer: beginRound after the client stream closed');
    if (!this.r.continuing) throw new Error('ResponsesStreamSplicer: beginRound without a continued round');
    this.usages[this.round - 1] = this.r.usage;
    this.lastTerminal = this.r.terminal ?? this.lastTerminal;
    this.round++;
    this.r = new ResponsesRound();
  }

  finish(): Buffer {
    if (this.closed) return Buffer.alloc(0);
    this.releaseWithheld();
    const terminal = this.r.terminal ?? this.lastTerminal ?? { type: 'response.completed', response: { object: 'response', status: 'completed' } };
    this.modified = true;
    this.sendTerminal({ name: 'response.completed', raw: new Uint8Array(0) }, { ...terminal, type: 'response.completed' }, isRecord(terminal['response']) ? terminal['response'] : null);
    this.closed = true;
    return this.out.take();
  }

  fail(error: SpliceError): Buffer {
    if (this.closed) return Buffer.alloc(0);
    this.closed = true;
    this.out.text(sseEvent('error', { type: 'error', code: error.type, message: error.message, param: null, sequence_number: this.seq++ }));
    return this.out.take();
  }

  keepAlive(): Buffer {
    return this.closed ? Buffer.alloc(0) : Buffer.from(': keep-alive\n\n');
  }

  roundUsages(): NormalizedUsage[] {
    return this.allUsages().map((u) => usageFromOpenAiResponses(u));
  }

  totalUsage(): NormalizedUsage {
    return usageFromOpenAiResponses(sumUsageObjects(this.allUsages()));
  }
}
