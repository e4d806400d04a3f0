import { CliError } from '../cli-error';

/** `leeway replay` lands with the proxy data plane (issue 3). */
export async function runReplay(_argv: string[]): Promise<void> {
  throw new CliError('replay is not available yet: it arrives with the proxy data plane');
}
