/** How long the supervisor waits before starting again an app that died. */
export interface RestartDelays {
  /** The wait after a death that follows a run of at least `steadyMs`. */
  readonly firstMs: number;
  /** The longest wait, reached by doubling while the app keeps dying soon after it starts. */
  readonly maxMs: number;
  /** A run at least this long was not part of a crash loop: the wait starts again from `firstMs`. */
  readonly steadyMs: number;
}

export const MAKE_RUN_DELAYS: RestartDelays = { firstMs: 1000, maxMs: 5000, steadyMs: 60_000 };

export interface Restart {
  readonly delayMs: number;
  /** Deaths in a row, each after a run shorter than `steadyMs` (1 after a steady run). */
  readonly inARow: number;
  /** True once the wait is at its longest: a crash loop, as the log says. */
  readonly backedOff: boolean;
}

/** Waits of 1 s, 2 s, 4 s, then 5 s, while the app dies within a minute of each start. */
export class RestartBackoff {
  private inARow = 0;

  constructor(private readonly delays: RestartDelays = MAKE_RUN_DELAYS) {}

  /** The app died after running `ranMs`: when to start it again. */
  afterExit(ranMs: number): Restart {
    this.inARow = ranMs >= this.delays.steadyMs ? 1 : this.inARow + 1;
    const delayMs = Math.min(this.delays.maxMs, this.delays.firstMs * 2 ** (this.inARow - 1));
    return { delayMs, inARow: this.inARow, backedOff: delayMs === this.delays.maxMs };
  }
}
