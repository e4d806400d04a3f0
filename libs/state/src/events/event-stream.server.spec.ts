import 'reflect-metadata';
import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { of, throwError } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { deadLetter } from './event-errors';
import { EventStreamServer } from './event-stream.server';
import { MemoryEventBus } from './memory-event.bus';

/** A handler whose behaviour each test scripts. */
class Script {
  seen: unknown[] = [];
  behaviour: (payload: unknown) => Promise<unknown> = () => Promise.resolve(undefined);
}

@Controller()
class TestController {
  constructor(@Inject(Script) private readonly script: Script) {}

  @EventPattern('test.v1')
  handle(@Payload() payload: unknown): Promise<unknown> {
    this.script.seen.push(payload);
    return this.script.behaviour(payload);
  }
}

const apps: INestMicroservice[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(bus: MemoryEventBus, script: Script, options: Partial<ConstructorParameters<typeof EventStreamServer>[0]> = {}) {
  @Module({ controllers: [TestController], providers: [{ provide: Script, useValue: script }] })
  class TestModule {}
  const server = new EventStreamServer({ source: bus.source, pollIntervalMs: 5, backoffMs: 10, claimIntervalMs: 10, ...options });
  const app = await NestFactory.createMicroservice(TestModule, { strategy: server, logger: false });
  await app.listen();
  apps.push(app);
  return server;
}

const until = async (check: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('EventStreamServer (Nest custom transport) over the in-process bus', () => {
  it('dispatches to @EventPattern handlers and acknowledges after they resolve', async () => {
    const bus = new MemoryEventBus();
    const script = new Script();
    const server = await start(bus, script);
    for (let i = 0; i < 20; i++) bus.publisher.publish('test.v1', `k${i}`, { i });
    await until(() => server.stats().acked === 20);
    expect(script.seen).toHaveLength(20);
    expect(bus.pendingCount()).toBe(0);
  });

  it('dead-letters malformed entries, unknown patterns and handler-declared poison, and keeps going', async () => {
    const bus = new MemoryEventBus();
    const script = new Script();
    script.behaviour = (p) => Promise.resolve((p as { poison?: boolean }).poison ? deadLetter('invalid:poison') : undefined);
    const server = await start(bus, script);
    bus.publisher.publish('test.v1', 'a', { poison: true });
    bus.publisher.publish('nobody.v1', 'b', {});
    bus.publisher.publish('test.v1', 'c', { fine: true });
    await until(() => server.stats().acked + server.stats().deadLettered === 3);
    expect(bus.listDeadLetters().map((d) => d.reason).sort()).toEqual(['invalid:poison', 'no_handler:nobody.v1']);
    expect(server.stats().acked).toBe(1);
  });

  it('unwraps an Observable returned by a handler: its last value decides, its error leaves the entry pending', async () => {
    const bus = new MemoryEventBus();
    const script = new Script();
    let failures = 0;
    script.behaviour = (p) => {
      const kind = (p as { kind: string }).kind;
      if (kind === 'poison') return Promise.resolve(of(undefined, deadLetter('invalid:observable')));
      if (kind === 'flaky' && failures++ === 0) return Promise.resolve(throwError(() => new Error('transient')));
      return Promise.resolve(of(undefined));
    };
    const server = await start(bus, script, { claimIdleMs: 20 });
    bus.publisher.publish('test.v1', 'a', { kind: 'poison' });
    bus.publisher.publish('test.v1', 'b', { kind: 'fine' });
    bus.publisher.publish('test.v1', 'c', { kind: 'flaky' });
    await until(() => server.stats().acked === 2 && server.stats().deadLettered === 1);
    expect(bus.listDeadLetters().map((d) => d.reason)).toEqual(['invalid:observable']);
    expect(server.stats().retried).toBe(1);
    expect(bus.pendingCount()).toBe(0);
  });

  it('leaves a failed entry pending and redelivers it until the handler succeeds', async () => {
    const bus = new MemoryEventBus();
    const script = new Script();
    let failures = 2;
    script.behaviour = () => (failures-- > 0 ? Promise.reject(new Error('database down')) : Promise.resolve(undefined));
    const server = await start(bus, script, { claimIdleMs: 20 });
    bus.publisher.publish('test.v1', 'k', { n: 1 });
    await until(() => server.stats().acked === 1);
    expect(script.seen).toHaveLength(3);
    expect(server.stats().retried).toBe(2);
    expect(bus.listDeadLetters()).toEqual([]);
  });

  it('dead-letters an entry delivered more than maxDeliveries times', async () => {
    const bus = new MemoryEventBus();
    const script = new Script();
    script.behaviour = () => Promise.reject(new Error('always fails'));
    const server = await start(bus, script, { claimIdleMs: 5, maxDeliveries: 3 });
    bus.publisher.publish('test.v1', 'k', {});
    await until(() => server.stats().deadLettered === 1);
    expect(bus.listDeadLetters()[0]!.reason).toBe('max_deliveries_exceeded:4');
    expect(script.seen).toHaveLength(3);
  });

  it('close() waits for handlers in flight and acknowledges them', async () => {
    const bus = new MemoryEventBus();
    const script = new Script();
    let release: () => void = () => undefined;
    script.behaviour = () => new Promise((resolve) => (release = () => resolve(undefined)));
    const server = await start(bus, script);
    bus.publisher.publish('test.v1', 'k', {});
    await until(() => script.seen.length === 1);
    const app = apps.pop()!;
    const closing = app.close();
    setTimeout(() => release(), 50);
    await closing;
    expect(server.stats().acked).toBe(1);
    expect(bus.pendingCount()).toBe(0);
  });
});
