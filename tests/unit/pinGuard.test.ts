import { PinGuard, PinGuardSettings } from '../../src/domain/pinGuard';

const settings: PinGuardSettings = { windowSeconds: 60, slowAfter: 2, delayMs: 500, maxDelayMs: 2000, lockAfter: 5, lockoutSeconds: 300 };
const keys = ['caller:internal:201', 'room:123'];

describe('PIN brute-force guard', () => {
  it('allows the first tries without delay, then slows them down, doubling up to the cap', () => {
    const guard = new PinGuard(settings);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const verdict = guard.check(keys, 0);
      expect(verdict.kind).toBe('allowed');
      if (verdict.kind === 'allowed') delays.push(verdict.delayMs);
      guard.recordFailure(keys, 0);
    }
    expect(delays).toEqual([0, 0, 0, 500]);
    guard.recordFailure(['caller:internal:999'], 0);
    const more = new PinGuard({ ...settings, lockAfter: 100 });
    for (let i = 0; i < 8; i++) more.recordFailure(keys, 0);
    expect(more.check(keys, 0)).toEqual({ kind: 'allowed', delayMs: 2000 });
  });

  it('locks a key out after lockAfter failures, for lockoutSeconds', () => {
    const guard = new PinGuard(settings);
    let locked = false;
    for (let i = 0; i < 5; i++) locked = guard.recordFailure(keys, 1000);
    expect(locked).toBe(true);
    expect(guard.check(keys, 1000)).toEqual({ kind: 'locked', retryAfterMs: 300_000 });
    // Another caller is locked out of the room too: the room is under attack.
    expect(guard.check(['caller:internal:202', 'room:123'], 2000).kind).toBe('locked');
    expect(guard.check(['caller:internal:202', 'room:456'], 2000).kind).toBe('allowed');
    expect(guard.check(keys, 1000 + 300_000).kind).toBe('allowed');
  });

  it('forgets failures older than the window, and keeps no record for them', () => {
    const guard = new PinGuard(settings);
    for (let i = 0; i < 4; i++) guard.recordFailure(keys, 0);
    expect(guard.check(keys, 61_000)).toEqual({ kind: 'allowed', delayMs: 0 });
    guard.sweep(61_000);
    expect(guard.size).toBe(0);
  });

  it('a right PIN clears the caller, not the room', () => {
    const guard = new PinGuard(settings);
    for (let i = 0; i < 4; i++) guard.recordFailure(keys, 0);
    guard.recordSuccess('caller:internal:201');
    expect(guard.check(['caller:internal:201'], 0)).toEqual({ kind: 'allowed', delayMs: 0 });
    expect(guard.check(['room:123'], 0)).toEqual({ kind: 'allowed', delayMs: 1000 });
  });
});
