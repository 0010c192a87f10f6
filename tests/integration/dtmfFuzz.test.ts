import { randomInt } from 'node:crypto';
import { waitUntil } from '../../harness/waitUntil';
import { Caller } from '../../harness/caller';
import { useScenario } from '../helpers/scenario';
import { KEYS } from '../../src/domain/types';

/** A small seeded generator, so a failing run can be replayed with FUZZ_SEED. */
function generator(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state % n;
  };
}

/** The rooms a caller may end up in: the dialled one, else any valid entry in what it keyed; any room after 000/0000. */
function roomsKeyed(suffix: string, keys: string): { rooms: Set<string>; random: boolean } {
  if (/^[0-9]{3,4}$/.test(suffix)) return { rooms: new Set([suffix]), random: suffix === '000' || suffix === '0000' };
  const rooms = new Set<string>();
  for (const match of keys.matchAll(/(?=([0-9]{4}))/g)) rooms.add(match[1]!);
  for (const match of keys.matchAll(/(?=([0-9]{3})#)/g)) rooms.add(match[1]!);
  return { rooms, random: rooms.has('000') || rooms.has('0000') };
}

/**
 * Hostile DTMF against the real Asterisk. Random sequences over all 16 keys, long
 * strings, keys faster than prompts: the app never crashes, never puts a caller in a room it
 * did not key, and holds nothing once everyone has hung up (checked after each test).
 */
describe('DTMF fuzz (bounded)', () => {
  const s = useScenario({ entry: { firstDigitTimeoutSeconds: 2, interDigitTimeoutSeconds: 1, maxAttempts: 3, pinMaxLength: 8 } });
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
  const next = generator(seed);

  it(`sends random key sequences (seed ${seed}) without crashing, leaking or misrouting`, async () => {
    const callers: Array<{ caller: Caller; suffix: string; keys: string }> = [];
    for (let wave = 0; wave < 3; wave++) {
      const batch = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const dialled = ['88', '88', '88123', '88000', `88${next(10)}${next(10)}`][next(5)]!;
          const keys = Array.from({ length: 1 + next(next(2) ? 12 : 60) }, () => KEYS[next(KEYS.length)]).join('');
          const caller = await s.driver.call(dialled);
          await caller.answered();
          // Keys as fast as Asterisk sends them (40 ms apart), over the prompts.
          await caller.dtmf(keys, 40, 60).catch(() => undefined); // the app may already have hung up
          return { caller, suffix: dialled.slice(2), keys };
        }),
      );
      callers.push(...batch);
    }
    // Settled: every call is either in a room or gone (entry gives up after its attempts).
    await waitUntil(
      () => {
        const stats = s.harness.app.stats();
        const members = s.harness.app.rooms.snapshot().reduce((sum, room) => sum + room.members.length, 0);
        return stats.sessions === members;
      },
      40000,
      'every fuzzed call to be in a room or gone',
    );

    for (const { caller, suffix, keys } of callers) {
      const bridge = await caller.bridge();
      if (!bridge) continue;
      const { rooms, random } = roomsKeyed(suffix, keys);
      const room = bridge.slice('conference-'.length);
      if (!random) expect(rooms.has(room) ? 'keyed' : `in room ${room}, not keyed: dialled 88${suffix}, keyed ${keys}`).toBe('keyed');
    }
    // Still serving: a normal caller gets in.
    const normal = await s.driver.call('88');
    await normal.hears('sound:conf-getconfno');
    await normal.dtmf('999#');
    await normal.hears('sound:conf-getpin');
    await normal.dtmf('#');
    await normal.entersBridge('conference-999');
  }, 120000);
});
