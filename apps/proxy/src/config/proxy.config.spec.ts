import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProxyConfig, PROXY_ENV_KEYS, ProxyConfigError } from './proxy.config';

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

describe('loadProxyConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadProxyConfig({});
    expect(config.port).toBe(8787);
    expect(config.upstream.anthropicBaseUrl).toBe('https://api.anthropic.com');
    expect(config.upstream.openaiBaseUrl).toBe('https://api.openai.com');
    expect(config.bodyLimitBytes).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    expect(config.compression.mode).toBe('balanced');
    expect(config.state.redisUrl).toBeUndefined();
    expect(config.state.prefixTtlMs).toBeGreaterThanOrEqual(60 * 60 * 1000);
    expect(config.state.ccrTtlMs).toBeGreaterThanOrEqual(config.state.prefixTtlMs);
    expect(config.secretKeyIsDefault).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.upstream)).toBe(true);
  });

  it('collects every problem as KEY: problem lines without echoing values', () => {
    const secret = 'short-secret';
    let error: unknown;
    try {
      loadProxyConfig({
        LEEWAY_PROXY_PORT: 'eighty',
        LEEWAY_OPENAI_BASE_URL: 'https://api.openai.com/v1',
        LEEWAY_COMPRESSION_MODE: 'max',
        LEEWAY_SECRET_KEY: secret,
        REDIS_URL: 'http://nope',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProxyConfigError);
    const problems = (error as ProxyConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'LEEWAY_COMPRESSION_MODE',
      'LEEWAY_OPENAI_BASE_URL',
      'LEEWAY_PROXY_PORT',
      'LEEWAY_SECRET_KEY',
      'REDIS_URL',
    ]);
    expect((error as Error).message).not.toContain(secret);
  });

  it('refuses CCR originals that would expire before the decisions naming them', () => {
    expect(() => loadProxyConfig({ LEEWAY_PREFIX_TTL_MS: '7200000', LEEWAY_CCR_TTL_MS: '3600000' })).toThrow(
      /LEEWAY_CCR_TTL_MS:/,
    );
  });

  it('strips trailing slashes of upstream bases and parses beta flags', () => {
    const config = loadProxyConfig({
      LEEWAY_ANTHROPIC_BASE_URL: 'http://127.0.0.1:9000/',
      LEEWAY_ANTHROPIC_BETA_FLAGS: 'a-1, b-2,,',
    });
    expect(config.upstream.anthropicBaseUrl).toBe('http://127.0.0.1:9000');
    expect(config.anthropicBetaFlags).toEqual(['a-1', 'b-2']);
  });

  it('.env.example lists every variable and parses', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const env = parseEnvFile(text);
    expect(Object.keys(env).sort()).toEqual([...PROXY_ENV_KEYS].sort());
    const config = loadProxyConfig(env);
    expect(config.port).toBe(8787);
    expect(config.state.redisUrl).toBeUndefined();
  });
});
