/**
 * Joins under way across the app (a caller's `addChannel` sent, Asterisk's answer not yet in),
 * so that what a join sets off waits for a burst of joins to go through. A newcomer's
 * announcement is a playback Asterisk has to start, and on a small machine starting them while
 * other callers' joins are still pending delays those joins (docs/PERFORMANCE.md). A burst is
 * over once no join has been under way for `quietMs`: the keys of a storm come in over tens of
 * milliseconds, and each join takes a few. A wait lasts at most `maxWaitMs`: a steady stream
 * of joins never holds an announcement back for long.
 */
export class JoinsInFlight {
  private count = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
  ) {}

  /** A join goes out; call the function returned once Asterisk has answered (either way). */
  begin(): () => void {
    this.count++;
    clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count--;
      if (this.count === 0) this.quietTimer = setTimeout(() => this.releaseAll(), this.quietMs);
    };
  }

  /** Resolves once no join has been under way for the quiet time, or after `maxWaitMs`. */
  settled(): Promise<void> {
    if (this.count === 0 && this.quietTimer === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.waiters.delete(release);
        resolve();
      };
      const timer = setTimeout(release, this.maxWaitMs);
      this.waiters.add(release);
    });
  }

  private releaseAll(): void {
    this.quietTimer = undefined;
    for (const release of [...this.waiters]) release();
  }
}
