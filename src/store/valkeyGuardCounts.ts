import type { Redis } from 'ioredis';
import { CallerFailures, CallerNumber, GuardCountStore, GuardCountsHeld } from '../domain/guardCounts';
import { RoomNumber } from '../domain/types';
import { storeCall } from './storeUnavailable';

// A caller number's wrong PINs are a sorted set (score: the time), its lockout a key holding the
// lockout's end; a room's wrong PINs a sorted set. Times are the app's (`now`), as the guard
// passes them. Every key expires once nothing in it can count any more.
const CURRENT = `
  local function current(failures, lock, now, since)
    local lockedUntil = tonumber(redis.call('GET', lock) or '0')
    if lockedUntil > now then return lockedUntil end
    if lockedUntil ~= 0 then redis.call('DEL', failures, lock) end
    redis.call('ZREMRANGEBYSCORE', failures, '-inf', since)
    return 0
  end
  local function times(failures) return redis.call('ZRANGE', failures, 0, -1, 'WITHSCORES') end`;

const SCRIPTS = {
  /** KEYS: failures, lock. ARGV: now, since. Answers { lockedUntil, times with members }. */
  guardCaller: `${CURRENT}
    local lockedUntil = current(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]))
    return { lockedUntil, times(KEYS[1]) }`,
  /** KEYS: failures, lock. ARGV: now, since, member. */
  guardAddCaller: `${CURRENT}
    local now = tonumber(ARGV[1])
    local lockedUntil = current(KEYS[1], KEYS[2], now, tonumber(ARGV[2]))
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], math.max(now - tonumber(ARGV[2]), lockedUntil - now, 1))
    return { lockedUntil, times(KEYS[1]) }`,
  /** KEYS: failures, lock. ARGV: now, until. Set-if-absent, for a number with failures counted. */
  guardLock: `
    if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
    local ms = math.max(tonumber(ARGV[2]) - tonumber(ARGV[1]), 1)
    redis.call('SET', KEYS[2], ARGV[2], 'PX', ms)
    if redis.call('PTTL', KEYS[1]) < ms then redis.call('PEXPIRE', KEYS[1], ms) end
    return 1`,
  /** KEYS: failures. ARGV: since. */
  guardRoom: `
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
    return redis.call('ZCARD', KEYS[1])`,
  /** KEYS: failures. ARGV: now, since, member. */
  guardAddRoom: `
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
    redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[1]) - tonumber(ARGV[2]), 1))
    return redis.call('ZCARD', KEYS[1])`,
} as const;

type Scripted = { [name in keyof typeof SCRIPTS]: (...args: Array<string | number>) => Promise<unknown> };

/** The PIN guard's counts shared by the app instances of a cluster: an attacker spread over nodes is counted once. */
export class ValkeyGuardCounts implements GuardCountStore {
  private readonly scripts: Scripted;
  /** Tells apart two failures of one number in the same millisecond (members of a sorted set are unique). */
  private sequence = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
    this.scripts = redis as unknown as Scripted;
  }

  async caller(caller: CallerNumber, now: number, since: number): Promise<CallerFailures | undefined> {
    const record = await this.record(caller, () => this.scripts.guardCaller(2, ...this.callerKeys(caller), now, since));
    return record.failures.length > 0 || record.lockedUntil !== undefined ? record : undefined;
  }

  addCallerFailure(caller: CallerNumber, now: number, since: number): Promise<CallerFailures> {
    return this.record(caller, () => this.scripts.guardAddCaller(2, ...this.callerKeys(caller), now, since, this.member(now)));
  }

  async lockCaller(caller: CallerNumber, now: number, until: number): Promise<boolean> {
    return (await storeCall(() => this.scripts.guardLock(2, ...this.callerKeys(caller), now, until))) === 1;
  }

  async clearCaller(caller: CallerNumber): Promise<void> {
    await storeCall(() => this.redis.del(...this.callerKeys(caller)));
  }

  async roomFailures(room: RoomNumber, since: number): Promise<number> {
    return (await storeCall(() => this.scripts.guardRoom(1, this.roomKey(room), since))) as number;
  }

  async addRoomFailure(room: RoomNumber, now: number, since: number): Promise<number> {
    return (await storeCall(() => this.scripts.guardAddRoom(1, this.roomKey(room), now, since, this.member(now)))) as number;
  }

  /** For the operator: every number and room with counts (a scan of the store's keys), in key order. */
  async all(now: number, since: number): Promise<GuardCountsHeld> {
    const callers: CallerFailures[] = [];
    for (const key of await this.keys('failures:caller:')) {
      const name = key.slice(`${this.prefix}failures:caller:`.length);
      const colon = name.indexOf(':');
      const kind = name.slice(0, colon) as CallerNumber['kind'];
      const number = name.slice(colon + 1);
      const record = await this.caller({ kind, number }, now, since);
      if (record) callers.push(record);
    }
    const rooms: Array<{ room: RoomNumber; failures: number }> = [];
    for (const key of await this.keys('failures:room:')) {
      const room = key.slice(`${this.prefix}failures:room:`.length);
      const failures = await this.roomFailures(room, since);
      if (failures > 0) rooms.push({ room, failures });
    }
    return { callers, rooms };
  }

  /** Nothing is held in this app's memory. */
  readonly size = 0;

  private async record(caller: CallerNumber, request: () => Promise<unknown>): Promise<CallerFailures> {
    const [lockedUntil, flat] = (await storeCall(request)) as [number, string[]];
    // WITHSCORES answers member, score, member, score...
    const failures = flat.filter((_, i) => i % 2 === 1).map(Number);
    return { caller, failures, lockedUntil: lockedUntil === 0 ? undefined : lockedUntil };
  }

  private async keys(kind: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await storeCall(() => this.redis.scan(cursor, 'MATCH', `${this.prefix}${kind}*`, 'COUNT', 500));
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return [...new Set(found)].sort();
  }

  private callerKeys(caller: CallerNumber): [string, string] {
    return [`${this.prefix}failures:caller:${caller.kind}:${caller.number}`, `${this.prefix}lock:${caller.kind}:${caller.number}`];
  }

  private roomKey(room: RoomNumber): string {
    return `${this.prefix}failures:room:${room}`;
  }

  private member(now: number): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return `${now}:${process.pid}:${this.sequence}:${Math.random().toString(36).slice(2, 8)}`;
  }
}
