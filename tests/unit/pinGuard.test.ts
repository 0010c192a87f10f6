import { CallerNumber, callerNumberOf, PinGuard, PinGuardSettings, PinTry } from '../../src/domain/pinGuard';

const settings: PinGuardSettings = {
  windowSeconds: 60,
  slowAfter: 2,
  delayMs: 500,
  maxDelayMs: 2000,
  lockAfter: 5,
  lockoutSeconds: 300,
  roomSlowAfter: 3,
};
const caller = (number: string, kind: CallerNumber['kind'] = 'external'): CallerNumber => ({ kind, number });
const at = (room: string, from: CallerNumber | undefined): PinTry => ({ caller: from, room });

/** The verdict before each try of a series, each try a wrong PIN. */
async function verdictsOf(guard: PinGuard, tries: readonly PinTry[], now = 0): Promise<unknown[]> {
  const verdicts: unknown[] = [];
  for (const pinTry of tries) {
    const verdict = await guard.check(pinTry, now);
    await guard.recordFailure(pinTry, now);
    verdicts.push(verdict.kind === 'allowed' ? verdict.delayMs : 'locked');
  }
  return verdicts;
}

describe('PIN brute-force guard', () => {
  it.each([
    // One number at rooms of its own: its count alone slows it down, up to the cap.
    ['one number, fresh rooms', { lockAfter: 100 }, (i: number) => at(`10${i}`, caller('0301')), [0, 0, 0, 500, 1000, 2000, 2000, 2000]],
    // Many numbers at one room: the room's count slows every try, up to the cap, and never locks.
    ['one room, a new number each try', {}, (i: number) => at('123', caller(`0301${i}`)), [0, 0, 0, 0, 500, 1000, 2000, 2000]],
    // Withheld numbers are counted at the room only.
    ['one room, withheld numbers', {}, () => at('123', undefined), [0, 0, 0, 0, 500, 1000, 2000, 2000]],
    // One number at one room: the longer of the two waits; the number is locked at lockAfter.
    ['one number at one room', {}, () => at('123', caller('0301')), [0, 0, 0, 500, 1000, 'locked', 'locked', 'locked']],
    [
      'one number at one room, the room slowed first',
      { roomSlowAfter: 0 },
      () => at('123', caller('0301')),
      [0, 500, 1000, 2000, 2000, 'locked', 'locked', 'locked'],
    ],
  ])('%s: waits grow, double and stop at the cap', async (_name, changes, pinTry, expected) => {
    const guard = new PinGuard({ ...settings, ...changes });
    expect(
      await verdictsOf(
        guard,
        expected.map((_, i) => pinTry(i)),
      ),
    ).toEqual(expected);
  });

  it('never locks a room: after 100 wrong PINs from 100 numbers, a new caller is only slowed down', async () => {
    const guard = new PinGuard(settings);
    for (let i = 0; i < 100; i++) expect(await guard.recordFailure(at('123', caller(`0301${i}`)), 0)).toBe(false);
    expect(await guard.check(at('123', caller('0302')), 0)).toEqual({ kind: 'allowed', delayMs: 2000 });
    expect(await guard.check(at('123', undefined), 0)).toEqual({ kind: 'allowed', delayMs: 2000 });
    expect(await guard.check(at('124', caller('0302')), 0)).toEqual({ kind: 'allowed', delayMs: 0 });
  });

  it('locks a number at lockAfter, for lockoutSeconds, and only that number', async () => {
    const guard = new PinGuard(settings);
    const locks: boolean[] = [];
    for (const i of [1, 2, 3, 4, 5, 6]) locks.push(await guard.recordFailure(at(`10${i}`, caller('0301')), 1000));
    // The 5th locks it; a 6th, from a call already keying, does not lock it again (one lockout counted).
    expect(locks).toEqual([false, false, false, false, true, false]);
    expect(await guard.check(at('200', caller('0301')), 2000)).toEqual({ kind: 'locked', retryAfterMs: 299_000 });
    expect(await guard.check(at('200', caller('0301', 'internal')), 2000)).toEqual({ kind: 'allowed', delayMs: 0 });
    expect(await guard.check(at('200', caller('0302')), 2000)).toEqual({ kind: 'allowed', delayMs: 0 });
    // The lockout outlasts the window: the count stands until it ends, then starts from nothing.
    expect((await guard.check(at('200', caller('0301')), 1000 + 299_999)).kind).toBe('locked');
    expect(await guard.check(at('200', caller('0301')), 1000 + 300_000)).toEqual({ kind: 'allowed', delayMs: 0 });
    expect(await guard.recordFailure(at('200', caller('0301')), 1000 + 300_000)).toBe(false);
  });

  it('never locks a withheld number', async () => {
    const guard = new PinGuard({ ...settings, lockAfter: 1 });
    expect(await guard.recordFailure(at('123', undefined), 0)).toBe(false);
    expect(await guard.check(at('124', undefined), 0)).toEqual({ kind: 'allowed', delayMs: 0 });
  });

  it('forgets wrong PINs older than the window, and keeps no record of them', async () => {
    const guard = new PinGuard(settings);
    await verdictsOf(
      guard,
      [0, 1, 2, 3].map(() => at('123', caller('0301'))),
      0,
    );
    expect(await guard.check(at('123', caller('0301')), 59_999)).toEqual({ kind: 'allowed', delayMs: 1000 });
    expect(await guard.check(at('123', caller('0301')), 60_000)).toEqual({ kind: 'allowed', delayMs: 0 });
    expect(guard.size).toBe(0);
    await verdictsOf(guard, [at('123', caller('0301'))], 0);
    await guard.sweep(60_000);
    expect(guard.size).toBe(0);
  });

  it('a right PIN clears the number, not the room', async () => {
    const guard = new PinGuard(settings);
    await verdictsOf(
      guard,
      [0, 1, 2, 3].map(() => at('123', caller('0301'))),
    );
    await guard.recordSuccess(caller('0301'));
    expect(await guard.check(at('124', caller('0301')), 0)).toEqual({ kind: 'allowed', delayMs: 0 });
    expect(await guard.check(at('123', caller('0302')), 0)).toEqual({ kind: 'allowed', delayMs: 500 });
  });

  it('lists what it counts, and the operator clears a number (both kinds), not its rooms', async () => {
    const guard = new PinGuard(settings);
    await verdictsOf(
      guard,
      [0, 1, 2, 3, 4].map(() => at('123', caller('0301'))),
      1000,
    );
    await verdictsOf(guard, [at('124', caller('0301', 'internal')), at('124', undefined)], 1000);
    expect(await guard.counts(2000)).toEqual({
      callers: [
        { kind: 'external', number: '0301', failures: 5, lockedUntil: 301_000, delayMs: 0 },
        { kind: 'internal', number: '0301', failures: 1, lockedUntil: undefined, delayMs: 0 },
      ],
      rooms: [
        { room: '123', failures: 5, delayMs: 1000 },
        { room: '124', failures: 2, delayMs: 0 },
      ],
    });
    expect(await guard.clearCaller('0302', 2000)).toEqual([]);
    expect((await guard.clearCaller('0301', 2000)).map((c) => [c.kind, c.lockedUntil])).toEqual([
      ['external', 301_000],
      ['internal', undefined],
    ]);
    expect(await guard.check(at('125', caller('0301')), 2000)).toEqual({ kind: 'allowed', delayMs: 0 });
    expect((await guard.counts(2000)).callers).toEqual([]);
    expect((await guard.counts(2000)).rooms.map((r) => r.room)).toEqual(['123', '124']);
  });

  it.each([
    ['', undefined],
    ['anonymous', undefined],
    ['Restricted', undefined],
    ['unknown', undefined],
    ['0301', '0301'],
    ['+49301234', '+49301234'],
    ['201', '201'],
  ])('caller id %p is counted as number %p', (callerId, number) => {
    expect(callerNumberOf('external', callerId)?.number).toBe(number);
  });
});
