import { basename } from 'node:path';
import type { Conversation, TranscriptFormat } from '../conversation';
import { ReplayError } from '../replay-error';
import { isClaudeCodeLines, readClaudeCode } from './claude-code';
import { isCodexRollout, isLegacyCodexRollout, readCodexRollout, readLegacyCodexRollout } from './codex';
import { modelFromFileName, type ReaderHint } from './json-util';
import { isOpenHands, isSweSmith, readOpenHands, readSweSmith } from './openhands';
import { isRawRequestLines, readRawRequests, requestApi } from './raw-requests';
import { repairConversation } from './repair';
import { isNebiusTrajectories, isSweAgentTraj, readNebiusTrajectories, readSweAgentTraj } from './swe-agent';

export interface TranscriptFile {
  readonly format: TranscriptFormat;
  readonly conversations: Conversation[];
  /** Lines that were not JSON (Claude Code / Codex logs may end in a torn line). */
  readonly skippedLines: number;
}

export const SUPPORTED_FORMATS =
  'SWE-agent .traj, nebius SWE-agent trajectories, OpenHands, SWE-smith, Claude Code session .jsonl, ' +
  'Codex CLI rollout .jsonl (current and older layouts), JSONL of raw Anthropic/OpenAI request bodies';

/** Detect the format of a transcript file's text and read every conversation in it. */
export function readTranscript(text: string, fileName: string): TranscriptFile {
  const hint: ReaderHint = { baseName: basename(fileName), modelHint: modelFromFileName(basename(fileName)) };
  const { format, conversations, skippedLines } = detectAndRead(text, hint);
  const usable = conversations
    .map(repairConversation)
    .filter((c) => c.messages.some((m) => m.role === 'assistant'));
  if (usable.length === 0)
    throw new ReplayError('RPL_NO_TURNS', `${hint.baseName}: no model turns found (format: ${format})`);
  return { format, conversations: usable, skippedLines };
}

function detectAndRead(
  text: string,
  hint: ReaderHint,
): { format: TranscriptFormat; conversations: Conversation[]; skippedLines: number } {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new ReplayError('RPL_EMPTY', `${hint.baseName} is empty`);
  let whole: unknown;
  let isWhole = false;
  try {
    whole = JSON.parse(trimmed);
    isWhole = true;
  } catch {
    isWhole = false;
  }
  if (isWhole) {
    if (isSweAgentTraj(whole))
      return { format: 'swe-agent-traj', conversations: readSweAgentTraj(whole, hint), skippedLines: 0 };
    if (isNebiusTrajectories(whole)) {
      return {
        format: 'nebius-swe-agent',
        conversations: readNebiusTrajectories(whole, hint),
        skippedLines: 0,
      };
    }
    if (isSweSmith(whole))
      return { format: 'swe-smith', conversations: readSweSmith(whole, hint), skippedLines: 0 };
    if (isOpenHands(whole))
      return { format: 'openhands', conversations: readOpenHands(whole, hint), skippedLines: 0 };
    const bodies = Array.isArray(whole) ? whole : [whole];
    if (isRawRequestLines(bodies)) {
      const raws = bodies.map((b) => (Array.isArray(whole) ? JSON.stringify(b) : trimmed));
      const conversations = readRawRequests(raws, bodies, hint);
      return { format: conversations[0]!.format, conversations, skippedLines: 0 };
    }
  }
  const rawLines = trimmed
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim().length > 0);
  const parsed: unknown[] = [];
  const kept: string[] = [];
  let skippedLines = 0;
  for (const line of rawLines) {
    try {
      parsed.push(JSON.parse(line));
      kept.push(line);
    } catch {
      skippedLines++;
    }
  }
  if (parsed.length === 0) {
    throw new ReplayError(
      'RPL_UNKNOWN_FORMAT',
      `${hint.baseName}: not JSON or JSONL (supported: ${SUPPORTED_FORMATS})`,
    );
  }
  if (isClaudeCodeLines(parsed))
    return { format: 'claude-code', conversations: readClaudeCode(parsed, hint), skippedLines };
  if (isCodexRollout(parsed))
    return { format: 'codex-rollout', conversations: readCodexRollout(parsed, hint), skippedLines };
  if (isLegacyCodexRollout(parsed)) {
    return {
      format: 'codex-rollout-legacy',
      conversations: readLegacyCodexRollout(parsed, hint),
      skippedLines,
    };
  }
  if (skippedLines === 0 && isRawRequestLines(parsed)) {
    const conversations = readRawRequests(kept, parsed, hint);
    return { format: conversations[0]!.format, conversations, skippedLines };
  }
  const bad = parsed.findIndex((p) => requestApi(p) === null);
  throw new ReplayError(
    'RPL_UNKNOWN_FORMAT',
    `${hint.baseName}: unrecognised transcript format${skippedLines > 0 ? ` (${skippedLines} line(s) not JSON)` : bad >= 0 ? ` (line ${bad + 1} is not a request body)` : ''}; supported: ${SUPPORTED_FORMATS}`,
  );
}
