import { RestartBackoff } from '../../src/tools/restartBackoff';

describe("RestartBackoff (make run's supervisor)", () => {
  it('waits 1 s after a death, then doubles while the app keeps dying within a minute, up to 5 s', () => {
    const backoff = new RestartBackoff();
    const delays = [100, 2000, 500, 10, 59_999].map((ranMs) => backoff.afterExit(ranMs).delayMs);
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('says when it has backed off to its longest wait, and how many deaths in a row', () => {
    const backoff = new RestartBackoff();
    const restarts = [0, 0, 0, 0].map((ranMs) => backoff.afterExit(ranMs));
    expect(restarts.map((r) => [r.inARow, r.backedOff])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
  });

  it('starts again from 1 s after a run of a minute or more', () => {
    const backoff = new RestartBackoff();
    for (const ranMs of [0, 0, 0, 0]) backoff.afterExit(ranMs);
    expect(backoff.afterExit(60_000)).toEqual({ delayMs: 1000, inARow: 1, backedOff: false });
    expect(backoff.afterExit(0).delayMs).toBe(2000);
  });
});
