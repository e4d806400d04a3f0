import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error';
import { currentEnv } from '../config/env';
import { CLIENT_PROFILES, type ClientProfile } from '../replay/build/request-builder';
import { PROVIDERS, type OpenAiApi, type Provider } from '../replay/plan';
import { readTranscript } from '../replay/readers/read-transcript';
import { formatReport } from '../replay/report';
import { replayTranscript } from '../replay/replay';
import { ReplayError } from '../replay/replay-error';
import { ARM_NAMES, type ArmName } from '../replay/runner';
import { createArmEnvironment, PROXY_MODES, type ProxyMode } from '../replay/environment';

const USAGE =
  'usage: leeway replay FILE [--provider anthropic|openai] [--openai-api chat|responses] ' +
  '[--client naive|cache-aware] [--model MODEL] [--arms direct,leeway|direct|none] [--mode off|lossless|balanced|aggressive] [--ledger] [--json]';

/**
 * `leeway replay FILE`: replay a recorded agent conversation turn by turn, straight to a fake upstream and
 * through Leeway, and report tokens by class, cost at list prices, net saving and prefix stability.
 */
export async function runReplay(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        provider: { type: 'string' },
        'openai-api': { type: 'string' },
        client: { type: 'string' },
        model: { type: 'string' },
        arms: { type: 'string', default: 'direct,leeway' },
        mode: { type: 'string' },
        ledger: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message} (${USAGE})`, 2);
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (file === undefined) throw new CliError(`missing FILE (${USAGE})`, 2);
  if (positionals.length > 1)
    throw new CliError(`expected one FILE, got ${positionals.length} (${USAGE})`, 2);
  const provider = oneOf<Provider>('--provider', values.provider, PROVIDERS);
  const openaiApi = oneOf<OpenAiApi>('--openai-api', values['openai-api'], ['chat', 'responses']);
  const client = oneOf<ClientProfile>('--client', values.client, CLIENT_PROFILES);
  const mode = oneOf<ProxyMode>('--mode', values.mode, PROXY_MODES);
  const arms =
    values.arms === 'none'
      ? []
      : values.arms
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a.length > 0);
  for (const a of arms) {
    if (!ARM_NAMES.includes(a as ArmName))
      throw new CliError(`--arms takes ${ARM_NAMES.join(', ')} (got "${a}")`, 2);
  }
  if (openaiApi !== undefined && provider === 'anthropic')
    throw new CliError('--openai-api applies to --provider openai only', 2);

  const text = await readInput(file);
  try {
    const transcript = readTranscript(text, file);
    const env = await createArmEnvironment(arms as ArmName[], {
      ...(mode !== undefined ? { mode } : {}),
      ...(values.ledger
        ? { ledger: { env: currentEnv(), onTarget: (target: string) => process.stderr.write(`ledger: the Leeway arm's requests are recorded in ${target}\n`) } }
        : {}),
    });
    const report = await replayTranscript(
      basename(file),
      transcript,
      {
        arms: arms as ArmName[],
        sessionPrefix: `replay-${randomUUID().slice(0, 8)}`,
        ...(provider !== undefined ? { provider } : {}),
        ...(openaiApi !== undefined ? { openaiApi } : {}),
        ...(client !== undefined ? { client } : {}),
        ...(values.model !== undefined ? { model: values.model } : {}),
      },
      env,
      () => performance.now(),
    );
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  } catch (err) {
    if (err instanceof ReplayError) throw new CliError(err.message);
    throw err;
  }
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new CliError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`, 2);
  return value as T;
}

async function readInput(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliError(`${file} is not a regular file`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file} (${code ?? 'error'})`,
    );
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
