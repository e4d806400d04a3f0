import { createHash } from 'node:crypto';
import { StateError } from '../errors';
import type { RedisClient } from '../redis/redis-client';
import { withTimeout } from '../redis/timeout';
import { assertKeyPart, assertTenant } from '../tenant';
import { assertReservation, RESERVATION_TTL_MS } from './budget-ledger';
import type { BudgetCounter, BudgetLedger, BudgetReservation, ReserveResult, SettleResult } from './budget-ledger';

/*
 * Keys (all of one team share the hash tag `{team}`: one Cluster slot per script):
 *   <prefix>:{<team>}:budget:<counterKey>        integer micro-USD, PEXPIRE = window end + grace
 *   <prefix>:{<team>}:budget:res:<requestId>     hash {st: r|s, est}  (idempotency record)
 *   <prefix>:{<team>}:budget:once:<key>          one-off flag (alert thresholds)
 */

/** KEYS[1] = reservation, KEYS[2..] = counters; ARGV[1] = estimate, ARGV[2] = reservation TTL, then limit, hard per counter. */
const RESERVE_LUA = `
local est = tonumber(ARGV[1])
local n = #KEYS - 1
local used = {}
local prior = redis.call('HGET', KEYS[1], 'st')
if prior then
  for i = 1, n do used[i] = tonumber(redis.call('GET', KEYS[i + 1]) or '0') end
  return {2, 0, unpack(used)}
end
local missing = {}
for i = 1, n do
  local v = redis.call('GET', KEYS[i + 1])
  if not v then missing[#missing + 1] = i end
  used[i] = tonumber(v or '0')
end
if #missing > 0 then return {3, 0, unpack(missing)} end
for i = 1, n do
  local limit = tonumber(ARGV[2 + (i - 1) * 2 + 1])
  local hard = ARGV[2 + (i - 1) * 2 + 2]
  if hard == '1' and used[i] + est > limit then return {0, i, unpack(used)} end
end
for i = 1, n do used[i] = redis.call('INCRBY', KEYS[i + 1], est) end
redis.call('HSET', KEYS[1], 'st', 'r', 'est', est)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, 0, unpack(used)}
`;

/** KEYS[1] = reservation, KEYS[2..] = counters; ARGV[1] = actual, ARGV[2] = reservation TTL. */
const SETTLE_LUA = `
local n = #KEYS - 1
local used = {}
local st = redis.call('HGET', KEYS[1], 'st')
if st == 's' then
  for i = 1, n do used[i] = tonumber(redis.call('GET', KEYS[i + 1]) or '-1') end
  return {0, unpack(used)}
end
local est = 0
if st == 'r' then est = tonumber(redis.call('HGET', KEYS[1], 'est')) end
local delta = tonumber(ARGV[1]) - est
for i = 1, n do
  if redis.call('EXISTS', KEYS[i + 1]) == 1 then used[i] = redis.call('INCRBY', KEYS[i + 1], delta) else used[i] = -1 end
end
redis.call('HSET', KEYS[1], 'st', 's', 'est', 0)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, unpack(used)}
`;

export interface RedisBudgetLedgerOptions {
  readonly client: RedisClient;
  readonly keyPrefix?: string;
  /** Budget of one Redis step (default 250 ms). */
  readonly operationTimeoutMs?: number;
}

interface Script {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const RESERVE = script(RESERVE_LUA);
const SETTLE = script(SETTLE_LUA);

/** The shared ledger: one Lua script per reserve and per settle (one round trip each). */
export class RedisBudgetLedger implements BudgetLedger {
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly timeoutMs: number;

  constructor(options: RedisBudgetLedgerOptions) {
    this.client = options.client;
    this.prefix = options.keyPrefix ?? 'lw';
    assertKeyPart(this.prefix, 'key prefix');
    this.timeoutMs = options.operationTimeoutMs ?? 250;
  }

  async reserve(r: BudgetReservation): Promise<ReserveResult> {
    assertReservation(r);
    const args: (string | number)[] = [r.estimateMicros, RESERVATION_TTL_MS];
    for (const c of r.counters) args.push(c.limitMicros, c.hard ? '1' : '0');
    const out = await this.run(RESERVE, [this.reservationKey(r), ...r.counters.map((c) => this.counterKey(r.team, c.key))], args, 'budget reserve');
    const [status, index, ...rest] = out;
    if (status === 3) return { status: 'missing', missing: rest.map((i) => i - 1) };
    if (status === 0) return { status: 'rejected', index: (index ?? 1) - 1, used: rest };
    return { status: 'admitted', used: rest, replayed: status === 2 };
  }

  async settle(r: BudgetReservation, actualMicros: number): Promise<SettleResult> {
    assertReservation(r);
    const actual = Math.max(0, Math.round(actualMicros));
    const out = await this.run(
      SETTLE,
      [this.reservationKey(r), ...r.counters.map((c) => this.counterKey(r.team, c.key))],
      [actual, RESERVATION_TTL_MS],
      'budget settle',
    );
    const [applied, ...used] = out;
    return { applied: applied === 1, used };
  }

  async seed(team: string, counter: BudgetCounter, micros: number): Promise<boolean> {
    assertTenant(team);
    assertKeyPart(counter.key, 'budget counter key');
    const key = this.counterKey(team, counter.key);
    const value = String(Math.max(0, Math.round(micros)));
    const op = counter.ttlMs > 0 ? this.client.set(key, value, 'PX', counter.ttlMs, 'NX') : this.client.set(key, value, 'NX');
    return (await withTimeout(op, this.timeoutMs, 'budget seed')) === 'OK';
  }

  async read(team: string, counterKey: string): Promise<number | null> {
    assertTenant(team);
    const v = await withTimeout(this.client.get(this.counterKey(team, counterKey)), this.timeoutMs, 'budget read');
    return v === null ? null : Number(v);
  }

  async once(team: string, key: string, ttlMs: number): Promise<boolean> {
    assertTenant(team);
    assertKeyPart(key, 'flag key');
    const op = this.client.set(`${this.prefix}:{${team}}:budget:once:${key}`, '1', 'PX', Math.max(1, ttlMs), 'NX');
    return (await withTimeout(op, this.timeoutMs, 'budget flag')) === 'OK';
  }

  private counterKey(team: string, key: string): string {
    return `${this.prefix}:{${team}}:budget:${key}`;
  }

  private reservationKey(r: BudgetReservation): string {
    return `${this.prefix}:{${r.team}}:budget:res:${r.requestId}`;
  }

  private async run(s: Script, keys: string[], args: (string | number)[], what: string): Promise<number[]> {
    const call = async (): Promise<unknown> => {
      try {
        return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (error instanceof Error && error.message.includes('NOSCRIPT')) return this.client.eval(s.lua, keys.length, ...keys, ...args);
        throw error;
      }
    };
    const out = await withTimeout(call(), this.timeoutMs, what);
    if (!Array.isArray(out)) throw new StateError('STA_UNAVAILABLE', `${what}: unexpected reply`);
    return out.map(Number);
  }
}
