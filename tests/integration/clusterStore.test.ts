import { Redis } from 'ioredis';
import { ValkeyGuardCounts } from '../../src/store/valkeyGuardCounts';
import { ValkeyRoomState } from '../../src/store/valkeyRoomState';
import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';
import { testValkey } from '../helpers/valkeyServer';
import { callApi } from '../helpers/statusApi';

/** The prefix the app writes under (src/store/sharedStore.ts): the test plays node-b beside it. */
const PREFIX = 'conference:';
const valkey = testValkey();

/**
 * The app as one node of a cluster (store.url set): its rooms, PINs and the brute-force counts are
 * in the shared Valkey, and what another node holds or counted there applies to its callers.
 */
describe('the app on the shared store', () => {
  const s = useScenario({
    store: { url: valkey.url, password: valkey.password, node: 'node-a', leaseSeconds: 3 },
    bruteForce: { windowSeconds: 600, slowAfter: 100, delayMs: 100, maxDelayMs: 100, lockAfter: 3, lockoutSeconds: 60, roomSlowAfter: 100 },
  });
  let redis: Redis;
  let nodeB: ValkeyRoomState;
  beforeAll(() => {
    redis = valkey.client();
    nodeB = new ValkeyRoomState(redis, { node: 'node-b', sipAddress: '', leaseMs: 15000, prefix: PREFIX, onLost: () => undefined });
  });
  beforeEach(async () => {
    await redis.flushdb();
  });
  afterAll(() => {
    nodeB.close();
    redis.disconnect();
  });

  it('says in /health that the store answers, and names the node', async () => {
    const health = await callApi(s.harness, 'GET', '/health', null);
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', store: { node: 'node-a', reachable: true } });
  });

  it('holds a room it starts under its node, with the PIN hashed, and lets the number go when everyone has left', async () => {
    const first = await joinRoom(s.driver, '88555', { pin: '2468' });
    await first.entersBridge('conference-555');
    expect(await nodeB.homeOf('555')).toEqual({ node: 'node-a', sipAddress: '' });
    expect(await nodeB.claim('555')).toBe(false);
    const stored = await redis.hget(`${PREFIX}room:555`, 'pin');
    expect(stored).toMatch(/hash/);
    expect(stored).not.toContain('2468');
    const second = await joinRoom(s.driver, '88555', { pin: '2468' });
    await second.entersBridge('conference-555');

    await first.hangup();
    await second.hangup();
    await waitUntil(async () => !(await nodeB.isClaimed('555')), 10000, 'room 555 to be free in the store');
  });

  it('keeps a room past several leases while it lives (the node renews it)', async () => {
    const caller = await joinRoom(s.driver, '88556', { pin: '1' });
    await caller.entersBridge('conference-556');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await nodeB.homeOf('556')).toEqual({ node: 'node-a', sipAddress: '' });
  });

  it('a room another node holds: the caller hears that the service is not available and is hung up', async () => {
    expect(await nodeB.claim('557')).toBe('new');
    const caller = await s.driver.call('88557');
    await caller.hears('sound:conference/service-unavailable');
    await caller.hungUp();
    expect(caller.played()).not.toContain('sound:conf-getpin');
    expect(s.harness.logs.find((l) => l.call === caller.appChannel && l.event === 'refused')).toMatchObject({ reason: 'room-elsewhere' });
    await nodeB.release('557');
  });

  it('draws a random room among the numbers free on every node', async () => {
    const held = Array.from({ length: 900 }, (_, i) => String(100 + i)).filter((room) => room !== '555');
    for (const room of held) await nodeB.claim(room);
    const lucky = await s.driver.call('88000');
    await lucky.hears('sound:conf-getpin');
    expect(lucky.played()).toContain('digits:555');
    expect(await nodeB.homeOf('555')).toEqual({ node: 'node-a', sipAddress: '' });
    const unlucky = await s.driver.call('88000');
    await unlucky.hears('sound:conference/no-free-room');
    await unlucky.hungUp();
  }, 60000);

  it('counts wrong PINs keyed on another node: the attacker is locked out here at lockAfter', async () => {
    const host = await joinRoom(s.driver, '88558', { pin: '77' });
    await host.entersBridge('conference-558');
    // Two wrong PINs of 0301 on node-b, a moment ago.
    const countsB = new ValkeyGuardCounts(redis, PREFIX);
    const now = Date.now();
    for (const at of [now - 2000, now - 1000]) await countsB.addCallerFailure({ kind: 'internal', number: '0301' }, at, now - 600_000);

    const attacker = await s.driver.call('88558', { callerId: '0301' });
    await attacker.hears('sound:conf-getpin');
    await attacker.dtmf('1#');
    await attacker.hears('sound:conference/pin-locked');
    await attacker.hungUp();
    expect((await countsB.caller({ kind: 'internal', number: '0301' }, Date.now(), Date.now() - 600_000))?.lockedUntil).toBeDefined();
  });
});

describe('the app with its shared store away', () => {
  const s = useScenario({ store: { url: 'redis://127.0.0.1:1', node: 'node-a' } });

  it('tells callers that the service is not available, and says why in the log', async () => {
    const caller = await s.driver.call('88559');
    await caller.hears('sound:conference/service-unavailable');
    await caller.hungUp();
    expect(s.harness.logs.find((l) => l.call === caller.appChannel && l.event === 'refused')).toMatchObject({
      reason: 'store-unavailable',
    });
    expect(s.harness.logs.some((l) => l.event === 'store-unavailable')).toBe(true);
    const health = await callApi(s.harness, 'GET', '/health', null);
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({
      status: 'unavailable',
      store: { node: 'node-a', reachable: false, error: expect.stringMatching(/ECONNREFUSED/) },
    });
  });
});
