/**
 * Reading a segment as a JSON document: one JSON value, or JSON Lines (every non-blank line a JSON value).
 * Never throws; anything else is reported so the compressor can leave the input alone.
 */
import { MAX_TREE_DEPTH, minifyJsonText, parseJson, type JsonNode } from './json-parse';
import type { JsonForm } from './json-encode';

export type JsonDocument =
  | { readonly status: 'tree'; readonly form: JsonForm; readonly roots: JsonNode[] }
  /** Valid JSON nested deeper than the encoders handle: only whitespace can go. */
  | { readonly status: 'deep'; readonly minified: string }
  | { readonly status: 'invalid' };

export function readJsonDocument(input: string): JsonDocument {
  const whole = parseJson(input, MAX_TREE_DEPTH);
  if (whole.ok) return { status: 'tree', form: 'value', roots: [whole.value] };
  if (whole.reason === 'too-deep') return deepDocument(input);
  const lines = input.split('\n');
  const roots: JsonNode[] = [];
  for (const line of lines) {
    if (line.trim().length === 0) continue;
    const parsed = parseJson(line, MAX_TREE_DEPTH);
    if (!parsed.ok) return parsed.reason === 'too-deep' ? deepLines(lines) : { status: 'invalid' };
    roots.push(parsed.value);
  }
  if (roots.length < 2) return { status: 'invalid' };
  return { status: 'tree', form: 'lines', roots };
}

function deepDocument(input: string): JsonDocument {
  if (!isValidJson(input)) return { status: 'invalid' };
  return { status: 'deep', minified: minifyJsonText(input.trim()) };
}

function deepLines(lines: readonly string[]): JsonDocument {
  const out: string[] = [];
  for (const line of lines) {
    if (line.trim().length === 0) continue;
    if (!isValidJson(line)) return { status: 'invalid' };
    out.push(minifyJsonText(line.trim()));
  }
  return out.length >= 2 ? { status: 'deep', minified: out.join('\n') } : { status: 'invalid' };
}

/** Native validation (V8's JSON.parse is not recursive, so any depth is fine). */
function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
