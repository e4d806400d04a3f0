import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { compress, COMPRESSION_MODES, SEGMENT_KINDS, type CompressionMode, type SegmentKind } from '@leeway/compression';
import { CliError } from '../cli-error';

/** `leeway compress FILE [--query TEXT] [--mode M] [--kind K] [--json]`. */
export async function runCompress(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      query: { type: 'string' },
      mode: { type: 'string', default: 'balanced' },
      kind: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (file === undefined) throw new CliError('missing FILE (usage: leeway compress FILE [--json])', 2);
  if (positionals.length > 1) throw new CliError(`expected one FILE, got ${positionals.length}`, 2);
  const mode = values.mode as CompressionMode;
  if (!COMPRESSION_MODES.includes(mode)) {
    throw new CliError(`--mode must be one of ${COMPRESSION_MODES.join(', ')} (got "${values.mode}")`, 2);
  }
  const kind = values.kind as SegmentKind | undefined;
  if (kind !== undefined && !SEGMENT_KINDS.includes(kind)) {
    throw new CliError(`--kind must be one of ${SEGMENT_KINDS.join(', ')} (got "${values.kind}")`, 2);
  }
  const input = await readInput(file);
  const result = compress(input, { mode, ...(values.query ? { query: values.query } : {}), ...(kind ? { kind } : {}) });
  if (values.json) {
    const { kind: k, tokensBefore, tokensAfter, lossless, output, originals } = result;
    process.stdout.write(`${JSON.stringify({ kind: k, tokensBefore, tokensAfter, lossless, output, originals })}\n`);
    return;
  }
  process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
  const ratio = result.tokensBefore === 0 ? 1 : result.tokensAfter / result.tokensBefore;
  const note = result.changed ? '' : ` (unchanged: ${result.skipped ?? 'no-change'})`;
  process.stderr.write(
    `leeway: ${result.kind}, ${result.tokensBefore} → ${result.tokensAfter} tokens (${ratio.toFixed(2)}×), ` +
      `${result.lossless ? 'lossless' : `lossy, ${Object.keys(result.originals).length} retrievable original(s)`}${note}\n`,
  );
}

async function readInput(file: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliError(`${file} is not a regular file`);
    size = info.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file} (${code ?? 'error'})`);
  }
  if (size === 0) throw new CliError(`${file} is empty: nothing to compress`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text.trim().length === 0) throw new CliError(`${file} holds only whitespace: nothing to compress`);
  return text;
}
