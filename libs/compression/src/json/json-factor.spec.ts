import { describe, expect, it } from 'vitest';
import { chooseStringDefs, chooseSubtreeDefs, StringDefs, SubtreeIndex } from './json-factor';
import { parseJson, type JsonNode, type JsonObject } from './json-parse';

function tree(value: unknown): JsonNode {
  const parsed = parseJson(JSON.stringify(value));
  if (!parsed.ok) throw new Error('bad test value');
  return parsed.value;
}

const owner = { login: 'octokit-fixture-org', id: 1000, url: 'https://api.github.com/users/octokit-fixture-org', type: 'Organization' };

describe('SubtreeIndex', () => {
  it('gives equal sub-trees one id and counts them', () => {
    const root = tree([{ owner }, { owner }, { owner: { ...owner, id: 1001 } }]) as JsonNode[];
    const index = new SubtreeIndex([root]);
    const ids = root.map((row) => index.idOf((row as JsonObject).values[0] as JsonObject));
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(index.counts[ids[0]!]).toBe(2);
    // Key order matters: a reordered object is a different sub-tree.
    const reordered = tree([{ a: 1, b: 2 }, { b: 2, a: 1 }]) as JsonObject[];
    const index2 = new SubtreeIndex([reordered]);
    expect(index2.idOf(reordered[0]!)).not.toBe(index2.idOf(reordered[1]!));
  });
});

describe('chooseSubtreeDefs', () => {
  it('defines a repeated object once, not the small or unique ones', () => {
    const root = tree([1, 2, 3].map((n) => ({ n, owner, tag: { a: 1 } })));
    const index = new SubtreeIndex([root]);
    const defs = chooseSubtreeDefs([root], index);
    expect(defs.size).toBe(1);
    const ownerNode = ((root as JsonNode[])[0] as JsonObject).values[1] as JsonObject;
    expect(defs.has(index.idOf(ownerNode))).toBe(true);
  });

  it('does not define a child that only repeats inside a defined parent', () => {
    const repo = { name: 'hello-world', full_name: 'octokit-fixture-org/hello-world', owner, private: false };
    const root = tree([{ repo }, { repo }, { repo }]);
    const index = new SubtreeIndex([root]);
    const defs = chooseSubtreeDefs([root], index);
    expect(defs.size).toBe(1);
  });
});

describe('chooseStringDefs', () => {
  it('picks URL-family prefixes and repeated whole strings', () => {
    const occurrences = new Map<string, number>();
    for (let i = 1; i <= 10; i++) {
      for (const suffix of ['', '/comments', '/events', '/labels{/name}']) {
        occurrences.set(`https://api.github.com/repos/octokit-fixture-org/paginate-issues/issues/${i}${suffix}`, 1);
      }
    }
    occurrences.set('ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit', 5);
    occurrences.set('unique value that appears once', 1);
    const defs = new StringDefs(chooseStringDefs(occurrences));
    expect(defs.find('https://api.github.com/repos/octokit-fixture-org/paginate-issues/issues/3/comments')).toBe(
      'https://api.github.com/repos/octokit-fixture-org/paginate-issues/issues',
    );
    expect(defs.find('ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit')).toBe(
      'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit',
    );
    expect(defs.find('unique value that appears once')).toBeNull();
    // The rest after a prefix never starts with a digit, so "$N" + rest is unambiguous.
    for (const value of occurrences.keys()) {
      const prefix = defs.find(value);
      if (prefix !== null) expect(value.slice(prefix.length)).toMatch(/^(?:$|[/?#{&]|::)/);
    }
  });

  it('does not cut timestamps or single colons', () => {
    const occurrences = new Map<string, number>();
    for (let m = 0; m < 30; m++) occurrences.set(`2026-07-23T18:${String(m).padStart(2, '0')}:15Z`, 1);
    expect(chooseStringDefs(occurrences).size).toBe(0);
  });

  it('cuts Python test ids at ::', () => {
    const occurrences = new Map<string, number>();
    for (const t of ['a', 'b', 'c', 'd', 'e', 'f']) occurrences.set(`testing/test_assertrewrite.py::TestAssertionPass::test_${t}`, 1);
    const defs = new StringDefs(chooseStringDefs(occurrences));
    expect(defs.find('testing/test_assertrewrite.py::TestAssertionPass::test_c')).toBe('testing/test_assertrewrite.py::TestAssertionPass');
  });
});
