import type { Conversation } from '../conversation';
import { parseFencedAction, SWE_AGENT_TOOL } from './text-actions';
import { messagesFromTextEntries, type TextEntry } from './text-transcript';
import { asArray, asRecord, asString, type ReaderHint } from './json-util';

/** SWE-agent v0.x `.traj`: `{history: [{role, content, thought?, action?, agent?, is_demo?}], trajectory, info}`. */
export function isSweAgentTraj(data: unknown): boolean {
  const d = asRecord(data);
  return d !== null && Array.isArray(d['history']) && Array.isArray(d['trajectory']);
}

export function readSweAgentTraj(data: unknown, hint: ReaderHint): Conversation[] {
  const d = asRecord(data)!;
  const history = asArray(d['history'])
    .map(asRecord)
    .filter((h): h is Record<string, unknown> => h !== null);
  const primary = history.filter((h) => h['agent'] === undefined || h['agent'] === 'primary');
  let system: string | null = null;
  const entries: TextEntry[] = [];
  for (const h of primary) {
    const role = h['role'];
    const content = asString(h['content']) ?? '';
    if (role === 'system') {
      system = system === null ? content : `${system}\n\n${content}`;
    } else if (role === 'user') {
      entries.push({ role: 'user', text: content });
    } else if (role === 'assistant') {
      const actionField = asString(h['action']);
      const thought = asString(h['thought']);
      const action =
        actionField !== null && actionField.trim().length > 0
          ? { thought: (thought ?? '').trimEnd(), name: SWE_AGENT_TOOL, input: { command: actionField } }
          : parseFencedAction(content);
      entries.push({ role: 'assistant', text: content, action });
    }
  }
  const info = asRecord(d['info']);
  const instance = asString(info?.['instance_id']) ?? hint.baseName;
  return [
    {
      id: instance,
      format: 'swe-agent-traj',
      model: hint.modelHint,
      system,
      tools: null,
      messages: messagesFromTextEntries(entries, 'call_0_'),
      notes: [
        'SWE-agent acts through text commands: each action is replayed as a `bash` tool call (schema reconstructed), its observation as the tool result',
      ],
    },
  ];
}

/** nebius/SWE-agent-trajectories: `[{instance_id, model_name, trajectory: [{role: system|user|ai, text, system_prompt}]}]`. */
export function isNebiusTrajectories(data: unknown): boolean {
  const list = Array.isArray(data) ? data : [data];
  const first = asRecord(list[0]);
  if (!first || !Array.isArray(first['trajectory'])) return false;
  const step = asRecord(first['trajectory'][0]);
  return step !== null && typeof step['role'] === 'string' && ('text' in step || 'system_prompt' in step);
}

export function readNebiusTrajectories(data: unknown, hint: ReaderHint): Conversation[] {
  const list = Array.isArray(data) ? data : [data];
  return list.map((raw, index) => {
    const t = asRecord(raw) ?? {};
    let system: string | null = null;
    const entries: TextEntry[] = [];
    for (const stepRaw of asArray(t['trajectory'])) {
      const step = asRecord(stepRaw);
      if (!step) continue;
      const role = step['role'];
      const text = asString(step['text']) ?? '';
      if (role === 'system') {
        const prompt = asString(step['system_prompt']) ?? text;
        system = system === null ? prompt : `${system}\n\n${prompt}`;
      } else if (role === 'user') {
        entries.push({ role: 'user', text });
      } else if (role === 'ai' || role === 'assistant') {
        entries.push({ role: 'assistant', text, action: parseFencedAction(text) });
      }
    }
    return {
      id: asString(t['instance_id']) ?? `${hint.baseName}#${index + 1}`,
      format: 'nebius-swe-agent' as const,
      model: asString(t['model_name']) ?? hint.modelHint,
      system,
      tools: null,
      messages: messagesFromTextEntries(entries, `call_${index}_`),
      notes: [
        'SWE-agent acts through text commands: each action is replayed as a `bash` tool call (schema reconstructed), its observation as the tool result',
      ],
    };
  });
}
