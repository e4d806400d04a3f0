import { CliError } from '../cli-error';

/** Placeholder until the proxy lands (the proxy engineer replaces this file). */
export async function runStart(_argv: string[]): Promise<void> {
  throw new CliError('start is not available yet');
}
