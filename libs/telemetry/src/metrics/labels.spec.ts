import { describe, expect, it } from 'vitest';
import { BoundedLabel, allowListed, modelFamily, sanitizeLabel, statusClass } from './labels';

describe('label hygiene', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ['claude-3-5-haiku@20241022', 'claude-3-5-haiku'],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude-3-7-sonnet'],
    ['anthropic/claude-opus-4-1', 'claude-opus-4-1'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-5.1-codex', 'gpt-5.1-codex'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['o1', 'o1'],
    ['GPT-4.1', 'gpt-4.1'],
    ['my-private-finetune', 'other'],
    ['', 'other'],
    [null, 'other'],
  ])('normalises model %s to family %s', (model, family) => {
    expect(modelFamily(model)).toBe(family);
  });

  it('caps distinct values and keeps admitted ones', () => {
    const teams = new BoundedLabel(2);
    expect(teams.resolve('alpha')).toBe('alpha');
    expect(teams.resolve('beta')).toBe('beta');
    expect(teams.resolve('gamma')).toBe('other');
    expect(teams.resolve('alpha')).toBe('alpha');
    expect(teams.size).toBe(2);
  });

  it('rejects values that are not plain tokens', () => {
    expect(sanitizeLabel('team a')).toBe('other');
    expect(sanitizeLabel('x'.repeat(65))).toBe('other');
    expect(sanitizeLabel('Team-A')).toBe('team-a');
    expect(allowListed(['a', 'b'] as const, 'c')).toBe('other');
    expect(allowListed(['a', 'b'] as const, 'B')).toBe('b');
  });

  it('maps statuses to classes', () => {
    expect(statusClass(200)).toBe('2xx');
    expect(statusClass(429)).toBe('4xx');
    expect(statusClass(null)).toBe('other');
    expect(statusClass(999)).toBe('other');
  });
});
