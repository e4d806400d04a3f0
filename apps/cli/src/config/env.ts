/** The process environment, for commands that hand it on to the apps they start (only config/ reads it). */
export function currentEnv(): Record<string, string | undefined> {
  return { ...process.env };
}
