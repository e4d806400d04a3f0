/**
 * How much of the input is tool output, by kind. Counted from the conversation itself (not from an arm's
 * usage), with the tokenizer of the replayed model: every request's system prompt, tool schemas and
 * messages (texts, call arguments, tool results). Two views:
 * - `sent`: summed over every request of the replay (an output sent on 10 turns counts 10 times) — the
 *   share of the input tokens the client pays for, before caching;
 * - `unique`: the final request's history only (each output once).
 */
import { detectKind, type SegmentKind, type TokenCounter } from '@leeway/compression';
import { toolResultText, type Conversation, type Message, type ToolSpec, type Turn } from './conversation';

export interface ToolShareView {
  /** All input tokens counted (system + tools + messages). */
  readonly inputTokens: number;
  /** Tokens of tool outputs. */
  readonly toolOutputTokens: number;
  readonly toolOutputTokensByKind: Readonly<Partial<Record<SegmentKind, number>>>;
}

export interface ToolShare {
  readonly sent: ToolShareView;
  readonly unique: ToolShareView;
}

interface MessageCount {
  readonly total: number;
  readonly byKind: ReadonlyMap<SegmentKind, number>;
}

export class ToolShareCounter {
  private readonly kinds = new Map<string, SegmentKind>();
  private readonly messageCounts = new WeakMap<Message, MessageCount>();

  constructor(private readonly count: TokenCounter) {}

  kindOf(text: string): SegmentKind {
    let k = this.kinds.get(text);
    if (k === undefined) {
      k = detectKind(text);
      this.kinds.set(text, k);
    }
    return k;
  }

  private countMessage(m: Message): MessageCount {
    const hit = this.messageCounts.get(m);
    if (hit) return hit;
    let total = 0;
    const byKind = new Map<SegmentKind, number>();
    for (const p of m.parts) {
      if (p.type === 'text') total += this.count(p.text);
      else if (p.type === 'tool_call') total += this.count(p.name) + this.count(p.arguments);
      else if (p.type === 'tool_result') {
        const text = toolResultText(p.content);
        const n = this.count(text);
        total += n;
        const kind = this.kindOf(text);
        byKind.set(kind, (byKind.get(kind) ?? 0) + n);
      }
    }
    const result = { total, byKind };
    this.messageCounts.set(m, result);
    return result;
  }

  /** The share over a conversation's turns (`tools`: the tools its requests declare). */
  measure(conversation: Conversation, turns: readonly Turn[], tools: readonly ToolSpec[]): ToolShare {
    const fixed =
      (conversation.system ? this.count(conversation.system) : 0) +
      (tools.length > 0 ? this.count(JSON.stringify(tools)) : 0);
    const view = (histories: readonly (readonly Message[])[]): ToolShareView => {
      let input = 0;
      let tool = 0;
      const byKind: Partial<Record<SegmentKind, number>> = {};
      for (const history of histories) {
        input += fixed;
        for (const m of history) {
          const c = this.countMessage(m);
          input += c.total;
          for (const [k, n] of c.byKind) {
            tool += n;
            byKind[k] = (byKind[k] ?? 0) + n;
          }
        }
      }
      return { inputTokens: input, toolOutputTokens: tool, toolOutputTokensByKind: byKind };
    };
    const last = turns[turns.length - 1];
    return { sent: view(turns.map((t) => t.history)), unique: view(last ? [last.history] : []) };
  }
}

export function addShareViews(a: ToolShareView, b: ToolShareView): ToolShareView {
  const byKind: Partial<Record<SegmentKind, number>> = { ...a.toolOutputTokensByKind };
  for (const [k, n] of Object.entries(b.toolOutputTokensByKind) as [SegmentKind, number][])
    byKind[k] = (byKind[k] ?? 0) + n;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    toolOutputTokens: a.toolOutputTokens + b.toolOutputTokens,
    toolOutputTokensByKind: byKind,
  };
}

export const EMPTY_SHARE_VIEW: ToolShareView = {
  inputTokens: 0,
  toolOutputTokens: 0,
  toolOutputTokensByKind: {},
};
