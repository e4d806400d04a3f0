import { describe, expect, it } from 'vitest';
import { inferProvider } from './proxy.service';

describe('inferProvider (pass-through routes)', () => {
  it('follows Anthropic headers, then Anthropic-only paths, else OpenAI — never the User-Agent', () => {
    expect(inferProvider('/v1/models', { 'anthropic-version': '2023-06-01' })).toBe('anthropic');
    expect(inferProvider('/v1/models', { 'x-api-key': 'k' })).toBe('anthropic');
    expect(inferProvider('/v1/models', { authorization: 'Bearer k' })).toBe('openai');
    expect(inferProvider('/v1/messages/batches?limit=2', {})).toBe('anthropic');
    expect(inferProvider('/v1/embeddings', { 'user-agent': 'claude-cli/1.0' })).toBe('openai');
  });
});
