import { describe, expect, it } from 'vitest';
import { MemoryEventBus } from './memory-event.bus';
import { partitionIndex } from './event-stream';

describe('MemoryEventBus', () => {
  it('delivers published events once, keeps them pending until acknowledged', async () => {
    const bus = new MemoryEventBus();
    bus.publisher.publish('p', 'k1', { a: 1 });
    bus.publisher.publish('p', 'k2', { a: 2 });
    const first = await bus.source.read('memory', 10);
    expect(first.map((d): unknown => JSON.parse(d.payload!))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await bus.source.read('memory', 10)).toEqual([]);
    expect(bus.pendingCount()).toBe(2);
    await bus.source.ack('memory', [first[0]!.id]);
    expect(bus.pendingCount()).toBe(1);
  });

  it('redelivers stale pending entries with an increased delivery count', async () => {
    let now = 0;
    const bus = new MemoryEventBus({ now: () => now });
    bus.publisher.publish('p', 'k', {});
    const [first] = await bus.source.read('memory', 1);
    expect(await bus.source.claimStale('memory', 1000, 10)).toEqual([]);
    now = 1000;
    const [again] = await bus.source.claimStale('memory', 1000, 10);
    expect(again).toMatchObject({ id: first!.id, deliveries: 2 });
  });

  it('dead-letters with the reason and removes the entry', async () => {
    const bus = new MemoryEventBus();
    bus.publisher.publish('p', 'k', { bad: true });
    const [d] = await bus.source.read('memory', 1);
    await bus.source.deadLetter(d!, 'invalid:x');
    expect(bus.pendingCount()).toBe(0);
    expect(bus.listDeadLetters()).toEqual([expect.objectContaining({ id: d!.id, reason: 'invalid:x', payload: '{"bad":true}' })]);
  });

  it('is bounded: beyond capacity the oldest unread entries are dropped and counted', () => {
    const bus = new MemoryEventBus({ capacity: 3 });
    for (let i = 0; i < 5; i++) bus.publisher.publish('p', `k${i}`, i);
    expect(bus.pendingCount()).toBe(3);
    expect(bus.publisher.stats()).toMatchObject({ published: 5, dropped: 2 });
  });

  it('drops (and counts) what is published after the publisher side closed', async () => {
    const bus = new MemoryEventBus();
    await bus.publisher.close();
    bus.publisher.publish('p', 'k', 1);
    expect(bus.publisher.stats().dropped).toBe(1);
    expect(await bus.source.read('memory', 10)).toEqual([]);
  });
});

describe('partitionIndex', () => {
  it('is stable and spreads keys over every partition', () => {
    expect(partitionIndex('req_abc', 8)).toBe(partitionIndex('req_abc', 8));
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionIndex(`req_${i}`, 8)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(700);
  });
});
