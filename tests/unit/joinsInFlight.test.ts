import { JoinsInFlight } from '../../src/app/joinsInFlight';

const QUIET = 50;
const MAX_WAIT = 1000;

/** Whether the promise has settled once `ms` of (fake) time has passed. */
async function settledAfter(promise: Promise<void>, ms: number): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await jest.advanceTimersByTimeAsync(ms);
  return done;
}

describe('JoinsInFlight (announcements wait for a burst of joins)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('lets an announcement go at once when no join has been under way', async () => {
    expect(await settledAfter(new JoinsInFlight(QUIET, MAX_WAIT).settled(), 0)).toBe(true);
  });

  it('holds it while any join is under way, and until the quiet time after the last one', async () => {
    const joins = new JoinsInFlight(QUIET, MAX_WAIT);
    const first = joins.begin();
    const second = joins.begin();
    const announcement = joins.settled();
    first();
    expect(await settledAfter(announcement, 200)).toBe(false);
    second();
    expect(await settledAfter(announcement, QUIET - 1)).toBe(false);
    expect(await settledAfter(announcement, 1)).toBe(true);
  });

  it('counts a join that starts within the quiet time as part of the same burst', async () => {
    const joins = new JoinsInFlight(QUIET, MAX_WAIT);
    joins.begin()();
    const announcement = joins.settled();
    await jest.advanceTimersByTimeAsync(QUIET - 10);
    const late = joins.begin();
    expect(await settledAfter(announcement, 100)).toBe(false);
    late();
    expect(await settledAfter(announcement, QUIET)).toBe(true);
  });

  it('never holds an announcement longer than the longest wait', async () => {
    const joins = new JoinsInFlight(QUIET, MAX_WAIT);
    joins.begin();
    const announcement = joins.settled();
    expect(await settledAfter(announcement, MAX_WAIT - 1)).toBe(false);
    expect(await settledAfter(announcement, 1)).toBe(true);
  });

  it('counts a join once, however often its end is reported', async () => {
    const joins = new JoinsInFlight(QUIET, MAX_WAIT);
    const first = joins.begin();
    joins.begin();
    first();
    first();
    expect(await settledAfter(joins.settled(), 200)).toBe(false);
  });
});
