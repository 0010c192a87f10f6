import type { Redis } from 'ioredis';
import { NEW_ROOM_MS, NodeLoad } from '../domain/placement';
import { PinHash } from '../domain/pinHash';
import { RoomNumber } from '../domain/types';
import { Claim, RoomHome, RoomStateStore } from '../app/roomStateStore';
import { storeCall } from './storeUnavailable';

export interface ValkeyRoomStateOptions {
  /** This app instance's name: its rooms are recorded under it. */
  readonly node: string;
  /** Where other nodes pass on callers of this node's rooms (store.sipAddress); '' for nowhere. */
  readonly sipAddress: string;
  /** A room stays held this long after its node last renewed it. */
  readonly leaseMs: number;
  readonly prefix: string;
  /** Rooms this node held that another node has taken since (its leases had run out). */
  readonly onLost: (rooms: RoomNumber[]) => void;
}

// Every script reads the time from the server, so the nodes' clocks do not matter to leases, and
// treats a room whose lease has run out as free. KEYS[1] is the sorted set of held rooms (score:
// the lease's end, in ms); a room's hash holds its home node and its SIP address, PIN and lock,
// and outlives the lease by RESUME_MS: a lost node's room is started again elsewhere with them.
const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
const LIVE = "local function live(room) local e = redis.call('ZSCORE', KEYS[1], room) return e and tonumber(e) > now end";

const SCRIPTS = {
  /**
   * KEYS: held, room hash, rooms started. ARGV: room, node, lease ms, node's SIP address, hash
   * lifetime ms, '1' for fresh, ms a start is counted. A room whose lease ran out but whose hash
   * lives on (its node was lost, not let go) is resumed with its PIN and lock: 2. A new room: 1.
   * Held: 0. A room taken is counted as started on its node (for placement).
   */
  roomClaim: `${NOW} ${LIVE}
    local taken = 1
    if live(ARGV[1]) then
      if redis.call('HGET', KEYS[2], 'home') ~= ARGV[2] then return 0 end
    elseif redis.call('HEXISTS', KEYS[2], 'pin') == 1 then
      if ARGV[6] == '1' then return 0 end
      taken = 2
    end
    if taken == 2 then
      redis.call('HSET', KEYS[2], 'home', ARGV[2], 'sip', ARGV[4])
    else
      redis.call('DEL', KEYS[2])
      redis.call('HSET', KEYS[2], 'home', ARGV[2], 'sip', ARGV[4], 'locked', '0')
    end
    redis.call('PEXPIRE', KEYS[2], ARGV[5])
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[7]))
    redis.call('ZADD', KEYS[3], now, ARGV[2] .. ' ' .. ARGV[1])
    return taken`,
  /**
   * KEYS: node loads. ARGV: node, lease ms, participants, '1' when draining, SIP address. The
   * node's load, until its lease would run out.
   */
  nodeLoad: `${NOW}
    redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[2])) .. ' ' .. ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. ARGV[5])
    return 1`,
  /**
   * KEYS: node loads, rooms started. ARGV: ms a start is counted. Each live node's name, SIP
   * address, participants, draining ('1') and rooms started lately; run-out entries dropped.
   */
  nodeLoads: `${NOW}
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]))
    local started = {}
    for _, entry in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
      local node = string.match(entry, '^(%S+) ')
      if node then started[node] = (started[node] or 0) + 1 end
    end
    local loads = {}
    local all = redis.call('HGETALL', KEYS[1])
    for i = 1, #all, 2 do
      local untilMs, participants, draining, sip = string.match(all[i + 1], '^(%d+) (%d+) ([01]) (.*)$')
      if untilMs and tonumber(untilMs) > now then
        for _, field in ipairs({ all[i], sip, participants, draining, tostring(started[all[i]] or 0) }) do table.insert(loads, field) end
      else
        redis.call('HDEL', KEYS[1], all[i])
      end
    end
    return loads`,
  /** KEYS: held, room hashes. ARGV: node, lease ms, hash lifetime ms, rooms. Answers the rooms no longer this node's. */
  roomRenew: `${NOW} ${LIVE}
    local lost = {}
    for i = 2, #KEYS do
      local room = ARGV[i + 2]
      if live(room) and redis.call('HGET', KEYS[i], 'home') == ARGV[1] then
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), room)
        redis.call('PEXPIRE', KEYS[i], ARGV[3])
      else
        table.insert(lost, room)
      end
    end
    return lost`,
  /** KEYS: held, room hashes. ARGV: node, rooms. Ends the leases of those still this node's, their hashes kept (resumable). */
  roomLetGo: `${NOW}
    for i = 2, #KEYS do
      if redis.call('HGET', KEYS[i], 'home') == ARGV[1] then redis.call('ZADD', KEYS[1], now - 1, ARGV[i]) end
    end
    return 0`,
  /** KEYS: held, room hash. ARGV: room, node. */
  roomRelease: `${NOW} ${LIVE}
    if not live(ARGV[1]) or redis.call('HGET', KEYS[2], 'home') ~= ARGV[2] then return 0 end
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('DEL', KEYS[2])
    return 1`,
  /** KEYS: held, room hash. ARGV: room, fields. The fields of a live room, or false. */
  roomFields: `${NOW} ${LIVE}
    if not live(ARGV[1]) then return false end
    return redis.call('HMGET', KEYS[2], unpack(ARGV, 2))`,
  /** KEYS: held, room hash. ARGV: room, PIN. Set-if-absent on a live room. */
  roomSetPin: `${NOW} ${LIVE}
    if not live(ARGV[1]) then return 0 end
    return redis.call('HSETNX', KEYS[2], 'pin', ARGV[2])`,
  /** KEYS: held, room hash. ARGV: room, '1' or '0'. Compare-and-set on a live room. */
  roomSetLocked: `${NOW} ${LIVE}
    if not live(ARGV[1]) or redis.call('HGET', KEYS[2], 'locked') == ARGV[2] then return 0 end
    redis.call('HSET', KEYS[2], 'locked', ARGV[2])
    return 1`,
  /** KEYS: the key. ARGV: the value it must hold to be deleted. */
  forgetIfEqual: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  /** KEYS: held. The live rooms, the run-out ones dropped. */
  roomsHeld: `${NOW}
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    return redis.call('ZRANGE', KEYS[1], 0, -1)`,
} as const;

/** How long a lost node's room can be started again with its PIN and lock (its callers dial in again meanwhile). */
const RESUME_MS = 120_000;
/** How long a record of a caller passed on and admitted lives at most (a call's length). */
const ADMITTED_MS = 24 * 3600_000;

type ScriptName = keyof typeof SCRIPTS;
type Scripted = { [name in ScriptName]: (...args: Array<string | number>) => Promise<unknown> };

/** Loads the scripts into the client once (ioredis sends EVALSHA, and the script itself when Valkey lacks it). */
function scripted(redis: Redis): Scripted {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { lua });
  }
  return redis as unknown as Scripted;
}

/**
 * Rooms, PINs and locks shared by the app instances of a cluster, in Valkey (or Redis). A room is
 * held by one node under a lease this node renews for its rooms every third of `leaseMs`; a dead
 * node's rooms are free once their leases run out. Every operation is one script, run atomically
 * by the server.
 */
export class ValkeyRoomState implements RoomStateStore {
  private readonly scripts: Scripted;
  private readonly held: string;
  /** Each node's load, and the rooms started lately (for placement). */
  private readonly loads: string;
  private readonly started: string;
  /** This node's rooms, renewed on the timer. */
  private readonly mine = new Set<RoomNumber>();
  private readonly renewTimer: NodeJS.Timeout;
  private renewalsHeld = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: ValkeyRoomStateOptions,
  ) {
    this.scripts = scripted(redis);
    this.held = `${options.prefix}held`;
    this.loads = `${options.prefix}node-loads`;
    this.started = `${options.prefix}rooms-started`;
    this.renewTimer = setInterval(() => void this.renew(), Math.max(1, Math.floor(options.leaseMs / 3))).unref();
  }

  async claim(room: RoomNumber, fresh = false, home?: RoomHome): Promise<Claim> {
    const { leaseMs } = this.options;
    const { node, sipAddress } = home ?? this.options;
    const lifetime = leaseMs + RESUME_MS;
    const taken = await storeCall(() =>
      this.scripts.roomClaim(
        3,
        this.held,
        this.key(room),
        this.started,
        room,
        node,
        leaseMs,
        sipAddress,
        lifetime,
        fresh ? '1' : '0',
        NEW_ROOM_MS,
      ),
    );
    if (taken !== 1 && taken !== 2) return false;
    // A room taken for another node is that node's to renew, once its first caller arrives there.
    if (node === this.options.node) this.mine.add(room);
    return taken === 1 ? 'new' : 'resumed';
  }

  /** This node's load, for the others' placement; it runs out with a lease unless published again. */
  async publishLoad(load: { participants: number; draining: boolean }): Promise<void> {
    const { node, leaseMs, sipAddress } = this.options;
    await storeCall(() => this.scripts.nodeLoad(1, this.loads, node, leaseMs, load.participants, load.draining ? '1' : '0', sipAddress));
  }

  async nodeLoads(): Promise<NodeLoad[]> {
    const fields = (await storeCall(() => this.scripts.nodeLoads(2, this.loads, this.started, NEW_ROOM_MS))) as string[];
    const loads: NodeLoad[] = [];
    for (let i = 0; i + 4 < fields.length; i += 5) {
      const [node, sipAddress, participants, draining, newRooms] = fields.slice(i, i + 5) as [string, string, string, string, string];
      loads.push({ node, sipAddress, participants: Number(participants), draining: draining === '1', newRooms: Number(newRooms) });
    }
    return loads;
  }

  /** This node holds the room's lease: no longer once let go or lost. */
  holds(room: RoomNumber): boolean {
    return this.mine.has(room);
  }

  async isClaimed(room: RoomNumber): Promise<boolean> {
    return (await this.field(room, 'home')) !== null;
  }

  async claimedRooms(digits: number): Promise<ReadonlySet<RoomNumber>> {
    return new Set((await this.liveRooms()).filter((room) => room.length === digits));
  }

  async release(room: RoomNumber): Promise<void> {
    this.mine.delete(room);
    await storeCall(() => this.scripts.roomRelease(2, this.held, this.key(room), room, this.options.node));
  }

  async setPin(room: RoomNumber, pin: PinHash): Promise<boolean> {
    return (await storeCall(() => this.scripts.roomSetPin(2, this.held, this.key(room), room, JSON.stringify(pin)))) === 1;
  }

  async pinOf(room: RoomNumber): Promise<PinHash | undefined> {
    const stored = await this.field(room, 'pin');
    return stored === null ? undefined : (JSON.parse(stored) as PinHash);
  }

  async setLocked(room: RoomNumber, locked: boolean): Promise<boolean> {
    return (await storeCall(() => this.scripts.roomSetLocked(2, this.held, this.key(room), room, locked ? '1' : '0'))) === 1;
  }

  async isLocked(room: RoomNumber): Promise<boolean> {
    return (await this.field(room, 'locked')) === '1';
  }

  async homeOf(room: RoomNumber): Promise<RoomHome | undefined> {
    const fields = (await storeCall(() => this.scripts.roomFields(2, this.held, this.key(room), room, 'home', 'sip'))) as Array<
      string | null
    > | null;
    const [node, sipAddress] = fields ?? [];
    return node ? { node, sipAddress: sipAddress ?? '' } : undefined;
  }

  async recordAdmitted(landedId: string, room: RoomNumber): Promise<void> {
    await storeCall(() => this.redis.set(this.admittedKey(landedId), this.admission(room), 'PX', ADMITTED_MS));
  }

  async wasAdmitted(landedId: string, room: RoomNumber): Promise<boolean> {
    const recorded = await storeCall(() => this.redis.get(this.admittedKey(landedId)));
    return recorded?.endsWith(` ${room}`) ?? false;
  }

  /** Only this node's record: a node that comes back late must not forget what the room's next home recorded. */
  async forgetAdmitted(landedId: string, room: RoomNumber): Promise<void> {
    await storeCall(() => this.scripts.forgetIfEqual(1, this.admittedKey(landedId), this.admission(room)));
  }

  /**
   * This node's Asterisk is gone, and its calls with it: its rooms' leases end now, with their PINs
   * and locks kept, so the nodes their callers were passed on from start them again at once.
   */
  async letGo(): Promise<RoomNumber[]> {
    const rooms = [...this.mine];
    this.mine.clear();
    if (rooms.length === 0) return rooms;
    const keys = rooms.map((room) => this.key(room));
    await storeCall(() => this.scripts.roomLetGo(1 + keys.length, this.held, ...keys, this.options.node, ...rooms));
    return rooms;
  }

  /**
   * While this node's Asterisk is away its rooms are not renewed: if it does not come back within
   * a lease, they run out and are started again on another node (its callers there re-linked).
   */
  holdRenewals(held: boolean): void {
    this.renewalsHeld = held;
  }

  /** Stops renewing this node's rooms (they run out after leaseMs); the client is the caller's to close. */
  close(): void {
    clearInterval(this.renewTimer);
  }

  private async renew(): Promise<void> {
    const rooms = [...this.mine];
    if (rooms.length === 0 || this.renewalsHeld) return;
    const keys = rooms.map((room) => this.key(room));
    try {
      const lost = (await this.scripts.roomRenew(
        1 + keys.length,
        this.held,
        ...keys,
        this.options.node,
        this.options.leaseMs,
        this.options.leaseMs + RESUME_MS,
        ...rooms,
      )) as string[];
      for (const room of lost) this.mine.delete(room);
      if (lost.length > 0) this.options.onLost(lost);
    } catch {
      // The store is away: the next renewal tries again, and calls meanwhile say it is unavailable.
    }
  }

  private async field(room: RoomNumber, name: 'home' | 'pin' | 'locked'): Promise<string | null> {
    const fields = (await storeCall(() => this.scripts.roomFields(2, this.held, this.key(room), room, name))) as Array<
      string | null
    > | null;
    return fields?.[0] ?? null;
  }

  private liveRooms(): Promise<string[]> {
    return storeCall(() => this.scripts.roomsHeld(1, this.held)) as Promise<string[]>;
  }

  private key(room: RoomNumber): string {
    return `${this.options.prefix}room:${room}`;
  }

  private admittedKey(landedId: string): string {
    return `${this.options.prefix}admitted:${landedId}`;
  }

  /** Who let the caller in, and into which room. */
  private admission(room: RoomNumber): string {
    return `${this.options.node} ${room}`;
  }
}
