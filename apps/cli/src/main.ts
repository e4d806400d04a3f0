import { CliError } from './cli-error';

const USAGE = `leeway — LLM context compression and token-cost proxy

Usage:
  leeway start                      run the embedded stack (proxy on :8787)
  leeway compress FILE [--query TEXT] [--mode lossless|balanced|aggressive] [--kind KIND] [--json]
  leeway bench [DIR] [--json] [--out FILE]
  leeway replay FILE [--provider anthropic|openai] [--json]
  leeway help
`;

type Command = (argv: string[]) => Promise<void>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start')).runStart,
  compress: async () => (await import('./commands/compress')).runCompress,
  bench: async () => (await import('./commands/bench')).runBench,
  replay: async () => (await import('./commands/replay')).runReplay,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name === undefined ? 1 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`leeway: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    await command(rest);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`leeway ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
