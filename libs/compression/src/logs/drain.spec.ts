import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TOKENS, mergeTemplates, mineTemplates, splitBySeparators, tokenize, TokenTable, type Template } from './drain';

function tableOf(messages: string[]): TokenTable {
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const m of messages) {
    starts.push(at);
    ends.push(at + m.length);
    at += m.length + 1;
  }
  return new TokenTable(messages.join('\n'), starts, ends);
}

function mine(messages: string[], groups?: number[]): Template[] {
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const m of messages) {
    starts.push(at);
    ends.push(at + m.length);
    at += m.length + 1;
  }
  const table = new TokenTable(messages.join('\n'), starts, ends);
  return mergeTemplates(mineTemplates(table, groups), groups);
}

function show(t: Template): string {
  return t.tokens.map((x) => x ?? '<*>').join(' ');
}

describe('splitBySeparators', () => {
  it('splits a template whose members differ in separators, restoring constants within each part', () => {
    const messages = [
      'FATAL data address: 0x00000002',
      'FATAL data address: 0x00000002',
      'FATAL data address space....0',
      'FATAL data address:  0x00000002',
    ];
    const table = tableOf(messages);
    const merged = mergeTemplates(mineTemplates(table));
    expect(merged).toHaveLength(1);
    const split = splitBySeparators(table, merged);
    expect(split.map((t) => [show(t), t.members])).toEqual([
      ['FATAL data address 0x00000002', [0, 1, 3]],
      ['FATAL data address space....0', [2]],
    ]);
  });

  it('leaves templates whose members share their separators as they are', () => {
    const messages = ['open file a.txt', 'open file b.txt', 'open file c.txt'];
    const table = tableOf(messages);
    const merged = mergeTemplates(mineTemplates(table));
    expect(splitBySeparators(table, merged)).toEqual(merged);
  });
});

describe('tokenize', () => {
  it('splits on whitespace, key/value punctuation and brackets, with offsets', () => {
    const text = 'sshd[24200]: user=root, uid=0 (ok)|done';
    const { tokens, starts } = tokenize(text);
    expect(tokens).toEqual(['sshd', '24200', 'user', 'root', 'uid', '0', 'ok', 'done']);
    tokens.forEach((t, i) => expect(text.slice(starts[i], starts[i]! + t.length)).toBe(t));
  });

  it('keeps the tail of a very long message as one token', () => {
    const text = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const { tokens } = tokenize(text);
    expect(tokens).toHaveLength(MAX_TOKENS);
    expect(tokens[MAX_TOKENS - 1]).toBe(Array.from({ length: 200 - MAX_TOKENS + 1 }, (_, i) => `w${i + MAX_TOKENS - 1}`).join(' '));
  });

  it('starts at the given offset', () => {
    expect(tokenize('2024-01-01 INFO hello world', 11).tokens).toEqual(['INFO', 'hello', 'world']);
  });
});

describe('mineTemplates', () => {
  it('groups messages of one event and turns the differing positions into wildcards', () => {
    const templates = mine([
      'jk2_init() Found child 6725 in scoreboard slot 10',
      'workerEnv.init() ok /etc/httpd/conf/workers2.properties',
      'jk2_init() Found child 6726 in scoreboard slot 8',
      'mod_jk child workerEnv in error state 6',
      'jk2_init() Found child 6728 in scoreboard slot 6',
      'mod_jk child workerEnv in error state 7',
    ]);
    expect(templates.map(show)).toEqual([
      'jk2_init Found child <*> in scoreboard slot <*>',
      'workerEnv.init ok /etc/httpd/conf/workers2.properties',
      'mod_jk child workerEnv in error state <*>',
    ]);
    expect(templates.map((t) => t.members)).toEqual([[0, 2, 4], [1], [3, 5]]);
  });

  it('keeps different events of the same length apart', () => {
    const templates = mine([
      'Received disconnect from 1.2.3.4: 11: Bye Bye [preauth]',
      'Received disconnect from 1.2.3.5: 11: disconnected by user',
      'Received disconnect from 1.2.3.6: 11: Bye Bye [preauth]',
    ]);
    expect(templates.map((t) => t.members)).toEqual([[0, 2], [1]]);
  });

  it('never puts messages of different groups in one template', () => {
    const templates = mine(['INFO job 1 done', 'INFO job 2 done', 'INFO job 3 done'], [0, 1, 0]);
    expect(templates.map((t) => t.members)).toEqual([[0, 2], [1]]);
  });

  it('does not let shared numbers (0:0:0:0, counters) make unrelated messages alike', () => {
    const templates = mine([
      'peer 0 0 0 0 0 0 0 0 2181 Notification time out 3200',
      'peer 0 0 0 0 0 0 0 0 2181 Snapshotting 0x0 to /var/lib/zk',
    ]);
    expect(templates).toHaveLength(2);
  });

  it('merges templates the tree kept apart by a varying leading word', () => {
    const templates = mine([
      'chrome.exe - proxy.example.org:5070 open through proxy proxy.example.org:5070 HTTPS',
      'WeChat.exe - proxy.example.org:5070 open through proxy proxy.example.org:5070 HTTPS',
      'chrome.exe - proxy.example.org:5070 open through proxy proxy.example.org:5070 HTTPS',
    ]);
    expect(templates).toHaveLength(1);
    expect(show(templates[0]!)).toBe('<*> - proxy.example.org 5070 open through proxy proxy.example.org 5070 HTTPS');
    expect(templates[0]!.members).toEqual([0, 1, 2]);
  });

  it('is deterministic and assigns every message to exactly one template', () => {
    const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'x1', '42', 'id_7', 'ok', 'failed');
    const message = fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), (messages) => {
        const a = mine(messages);
        const b = mine(messages);
        expect(a).toEqual(b);
        const seen = a.flatMap((t) => t.members).sort((x, y) => x - y);
        expect(seen).toEqual(messages.map((_, i) => i));
        for (const t of a) {
          for (const m of t.members) {
            const tokens = tokenize(messages[m]!).tokens;
            expect(tokens).toHaveLength(t.tokens.length);
            t.tokens.forEach((tok, i) => {
              if (tok !== null) expect(tokens[i]).toBe(tok);
            });
          }
        }
      }),
    );
  });
});
