import { Redis } from 'ioredis';
import { EmbeddedRoomState, RoomStateStore } from '../../src/app/roomStateStore';
import { EmbeddedGuardCounts, GuardCountStore } from '../../src/domain/guardCounts';
import { hashPin } from '../../src/domain/pinHash';
import { ValkeyGuardCounts } from '../../src/store/valkeyGuardCounts';
import { ValkeyRoomState } from '../../src/store/valkeyRoomState';
import { freshPrefix, testValkey } from '../helpers/valkeyServer';

/** The stores a cluster's app instances share, on the real Valkey, held to what the in-memory ones do. */
const clients: Redis[] = [];
const closers: Array<() => void> = [];
const client = (): Redis => {
  const made = testValkey().client();
  clients.push(made);
  return made;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  for (const close of closers.splice(0)) close();
});
afterAll(() => {
  for (const made of clients) made.disconnect();
});

/** One node's room state under its own prefix; `lost` gets the rooms another node took over. */
function valkeyRooms(node: string, prefix: string, leaseMs = 15000, lost: string[] = []): ValkeyRoomState {
  const store = new ValkeyRoomState(client(), {
    node,
    sipAddress: `${node}.example:5060`,
    leaseMs,
    prefix,
    onLost: (rooms) => lost.push(...rooms),
  });
  closers.push(() => store.close());
  return store;
}

const roomStores: Array<[string, () => RoomStateStore]> = [
  ['embedded', () => new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined })],
  ['Valkey', () => valkeyRooms('a', freshPrefix())],
];

describe.each(roomStores)('room state store: %s', (_name, make) => {
  it('claims a number once: a second claim of it fails until it is released, and a claim starts the room anew', async () => {
    const store = make();
    expect(await store.claim('123')).toBe('new');
    expect(await store.isClaimed('123')).toBe(true);
    await store.setPin('123', hashPin('1'));
    await store.release('123');
    expect(await store.isClaimed('123')).toBe(false);
    expect(await store.claim('123')).toBe('new');
    expect(await store.pinOf('123')).toBeUndefined();
  });

  it('lists the numbers held by length, for the random draw', async () => {
    const store = make();
    for (const room of ['123', '456', '7890']) await store.claim(room);
    await store.release('456');
    expect([...(await store.claimedRooms(3))]).toEqual(['123']);
    expect([...(await store.claimedRooms(4))]).toEqual(['7890']);
  });

  it("sets a room's PIN once (set-if-absent), only for a held number", async () => {
    const store = make();
    const pin = hashPin('1234');
    expect(await store.setPin('123', pin)).toBe(false);
    await store.claim('123');
    expect(await store.setPin('123', pin)).toBe(true);
    expect(await store.setPin('123', hashPin('9999'))).toBe(false);
    expect(await store.pinOf('123')).toEqual(pin);
  });

  it('locks and unlocks a held room, saying when the lock changed (compare-and-set)', async () => {
    const store = make();
    expect(await store.setLocked('123', true)).toBe(false);
    await store.claim('123');
    expect(await store.isLocked('123')).toBe(false);
    expect(await store.setLocked('123', true)).toBe(true);
    expect(await store.setLocked('123', true)).toBe(false);
    expect(await store.isLocked('123')).toBe(true);
    expect(await store.setLocked('123', false)).toBe(true);
    expect(await store.isLocked('123')).toBe(false);
  });
});

describe('room state in Valkey, between nodes', () => {
  it('two nodes racing 50 claims of one room: exactly one holds it, and only it can let it go', async () => {
    const prefix = freshPrefix();
    const a = valkeyRooms('a', prefix);
    const b = valkeyRooms('b', prefix);
    const claims = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).claim('555')));
    const winners = claims.filter(Boolean).length;
    // The winning node's repeated claims succeed too (its own room, started anew); the other's never.
    const home = (await a.homeOf('555'))?.node;
    expect(['a', 'b']).toContain(home);
    expect(claims.filter((taken, i) => taken && (i % 2 === 0 ? 'a' : 'b') !== home)).toEqual([]);
    expect(winners).toBeGreaterThan(0);
    const [owner, other] = home === 'a' ? [a, b] : [b, a];
    await other.release('555');
    expect(await owner.isClaimed('555')).toBe(true);
    await owner.release('555');
    expect(await other.claim('555')).toBe('new');
  });

  it("keeps a node's room while it renews the lease; once the node is lost, another starts it again with its PIN and lock", async () => {
    const prefix = freshPrefix();
    const lostByA: string[] = [];
    const a = valkeyRooms('a', prefix, 600, lostByA);
    const b = valkeyRooms('b', prefix, 600);
    expect(await a.claim('777')).toBe('new');
    const pin = hashPin('1');
    await a.setPin('777', pin);
    await a.setLocked('777', true);
    await sleep(1500);
    expect(await b.claim('777')).toBe(false);
    expect(await b.homeOf('777')).toEqual({ node: 'a', sipAddress: 'a.example:5060' });

    a.close();
    await sleep(900);
    expect(await b.isClaimed('777')).toBe(false);
    // A random draw never lands on it: the number is not new.
    expect(await b.claim('777', true)).toBe(false);
    expect(await b.claim('777')).toBe('resumed');
    expect(await b.pinOf('777')).toEqual(pin);
    expect(await b.isLocked('777')).toBe(true);
    expect(await b.homeOf('777')).toEqual({ node: 'b', sipAddress: 'b.example:5060' });
    expect(lostByA).toEqual([]);
  });

  it('a node whose Asterisk is away holds its renewals: its rooms run out for another node to take', async () => {
    const prefix = freshPrefix();
    const a = valkeyRooms('a', prefix, 600);
    const b = valkeyRooms('b', prefix, 600);
    expect(await a.claim('779')).toBe('new');
    a.holdRenewals(true);
    await sleep(900);
    expect(await b.claim('779')).toBe('new');
    a.holdRenewals(false);
    await sleep(400);
    expect((await a.homeOf('779'))?.node).toBe('b');
  });

  it('a node whose Asterisk is gone lets go of its rooms at once: another node resumes them, PIN kept', async () => {
    const prefix = freshPrefix();
    const a = valkeyRooms('a', prefix);
    const b = valkeyRooms('b', prefix);
    expect(await a.claim('782')).toBe('new');
    const pin = hashPin('9');
    await a.setPin('782', pin);
    expect(await b.claim('783')).toBe('new');
    expect(await a.letGo()).toEqual(['782']);
    expect(await b.claim('782')).toBe('resumed');
    expect(await b.pinOf('782')).toEqual(pin);
    // What a let go of was only its own.
    expect((await a.homeOf('783'))?.node).toBe('b');
  });

  it('records a caller passed on and let in, under its landing id; only the node that let it in forgets it', async () => {
    const prefix = freshPrefix();
    const a = valkeyRooms('a', prefix);
    const b = valkeyRooms('b', prefix);
    await a.recordAdmitted('node-c-1.5', '780');
    expect(await b.wasAdmitted('node-c-1.5', '780')).toBe(true);
    expect(await b.wasAdmitted('node-c-1.5', '781')).toBe(false);
    expect(await b.wasAdmitted('node-c-1.6', '780')).toBe(false);
    // b let the caller in again after a was lost; a, back late, must not forget b's record.
    await b.recordAdmitted('node-c-1.5', '780');
    await a.forgetAdmitted('node-c-1.5', '780');
    expect(await a.wasAdmitted('node-c-1.5', '780')).toBe(true);
    await b.forgetAdmitted('node-c-1.5', '780');
    expect(await a.wasAdmitted('node-c-1.5', '780')).toBe(false);
  });

  it('tells a node that its room was taken over once its lease had run out', async () => {
    const prefix = freshPrefix();
    const lostByA: string[] = [];
    const a = valkeyRooms('a', prefix, 600, lostByA);
    const b = valkeyRooms('b', prefix, 600);
    await a.claim('778');
    // Node a stalls (its renewals do not reach the store): b takes the room when the lease ends.
    const stalled = client();
    await stalled.zadd(`${prefix}held`, 0, '778');
    expect(await b.claim('778')).toBe('new');
    await sleep(400);
    expect(lostByA).toEqual(['778']);
    expect((await a.homeOf('778'))?.node).toBe('b');
  });

  it('places a new room on another node: held for it (renewed by it once its caller arrives), counted as started there', async () => {
    const prefix = freshPrefix();
    const a = valkeyRooms('a', prefix, 600);
    const b = valkeyRooms('b', prefix, 600);
    await a.publishLoad({ participants: 7, draining: false });
    await b.publishLoad({ participants: 0, draining: true });
    expect(await a.nodeLoads()).toEqual([
      { node: 'a', sipAddress: 'a.example:5060', participants: 7, draining: false, newRooms: 0 },
      { node: 'b', sipAddress: 'b.example:5060', participants: 0, draining: true, newRooms: 0 },
    ]);

    const bHome = { node: 'b', sipAddress: 'b.example:5060' };
    expect(await a.claim('790', true, bHome)).toBe('new');
    expect(await a.claim('791')).toBe('new');
    expect(await a.homeOf('790')).toEqual(bHome);
    expect(a.holds('790')).toBe(false);
    expect((await b.nodeLoads()).map((n) => [n.node, n.newRooms])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    // The placed caller arrives on b: b takes the room as its own and renews it.
    expect(await b.claim('790')).toBe('new');
    await sleep(900);
    expect((await a.homeOf('790'))?.node).toBe('b');
    // Loads not published again run out with a lease.
    expect(await a.nodeLoads()).toEqual([]);
  });

  it('never places a room that is to be resumed: it goes on where its callers are', async () => {
    const prefix = freshPrefix();
    const a = valkeyRooms('a', prefix);
    const b = valkeyRooms('b', prefix);
    expect(await a.claim('792')).toBe('new');
    await a.setPin('792', hashPin('5'));
    await a.letGo();
    expect(await b.claim('792', true, { node: 'a', sipAddress: 'a.example:5060' })).toBe(false);
    expect(await b.claim('792')).toBe('resumed');
  });

  it('answers a store that is away with StoreUnavailable, naming the setting', async () => {
    const away = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    clients.push(away);
    away.on('error', () => undefined);
    const store = new ValkeyRoomState(away, { node: 'a', sipAddress: '', leaseMs: 1000, prefix: freshPrefix(), onLost: () => undefined });
    closers.push(() => store.close());
    await expect(store.claim('123')).rejects.toThrow(/store\.url/);
  });
});

const guardStores: Array<[string, () => GuardCountStore]> = [
  ['embedded', () => new EmbeddedGuardCounts()],
  ['Valkey', () => new ValkeyGuardCounts(client(), freshPrefix())],
];
const number = { kind: 'external', number: '0301' } as const;

describe.each(guardStores)('brute-force counts: %s', (_name, make) => {
  it('counts failures within the window, drops older ones, and forgets a number with none', async () => {
    const counts = make();
    await counts.addCallerFailure(number, 1000, 0);
    const record = await counts.addCallerFailure(number, 2000, 0);
    expect(record.failures).toEqual([1000, 2000]);
    expect((await counts.caller(number, 2500, 1500))?.failures).toEqual([2000]);
    expect(await counts.caller(number, 5000, 3000)).toBeUndefined();
  });

  it('locks a number once (set-if-absent); its count stands while locked and is forgotten when the lockout ends', async () => {
    const counts = make();
    expect(await counts.lockCaller(number, 1000, 61000)).toBe(false);
    await counts.addCallerFailure(number, 1000, 0);
    expect(await counts.lockCaller(number, 1000, 61000)).toBe(true);
    expect(await counts.lockCaller(number, 1000, 99000)).toBe(false);
    expect(await counts.caller(number, 50000, 40000)).toEqual({ caller: number, failures: [1000], lockedUntil: 61000 });
    expect(await counts.caller(number, 61000, 51000)).toBeUndefined();
  });

  it('counts a room, clears a number, and lists both for the operator', async () => {
    const counts = make();
    await counts.addRoomFailure('123', 1000, 0);
    expect(await counts.addRoomFailure('123', 2000, 0)).toBe(2);
    expect(await counts.roomFailures('123', 1500)).toBe(1);
    await counts.addCallerFailure(number, 2000, 0);
    await counts.addCallerFailure({ kind: 'internal', number: '201' }, 2000, 0);
    const all = await counts.all(2000, 0);
    expect(all.rooms).toEqual([{ room: '123', failures: 1 }]);
    expect(all.callers.map((c) => `${c.caller.kind}:${c.caller.number}`).sort()).toEqual(['external:0301', 'internal:201']);
    await counts.clearCaller(number);
    expect(await counts.caller(number, 2000, 0)).toBeUndefined();
  });
});

describe('brute-force counts in Valkey, between nodes', () => {
  it('one attacker spread over two nodes is counted once, and one lockout holds on both', async () => {
    const prefix = freshPrefix();
    const a = new ValkeyGuardCounts(client(), prefix);
    const b = new ValkeyGuardCounts(client(), prefix);
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).addCallerFailure(number, 1000 + i, 0)));
    expect((await a.caller(number, 2000, 0))?.failures).toHaveLength(10);
    const locks = await Promise.all([a.lockCaller(number, 2000, 9000), b.lockCaller(number, 2000, 9000)]);
    expect(locks.filter(Boolean)).toHaveLength(1);
    expect((await b.caller(number, 3000, 2500))?.lockedUntil).toBe(9000);
  });
});
