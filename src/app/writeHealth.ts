import { EventEmitter } from 'node:events';

/** A file the admin relies on that the app could not write, as /health and the log tell it. */
export interface WriteFailure {
  /** The setting that names the file: `eventsLog.path` or `stateFile`. */
  readonly setting: string;
  readonly path: string;
  /** What the system answered, e.g. "ENOSPC: no space left on device, write". */
  readonly cause: string;
  /** When this cause was first met (epoch ms). */
  readonly since: number;
}

/**
 * Whether the writes of one file work. A failure is told once per change of cause (or path),
 * not once per write tried, and the first write that works again ends it: `failing` and
 * `recovered` are what the log says, `failure` what /health shows, `failures` the metric.
 */
export class WriteHealth extends EventEmitter<{ failing: [WriteFailure]; recovered: [WriteFailure, Record<string, number>] }> {
  private current: WriteFailure | undefined;
  /** Writes that failed since the start, each retry counted. */
  failures = 0;

  constructor(
    readonly setting: string,
    private readonly now: () => number,
  ) {
    super();
  }

  get failure(): WriteFailure | undefined {
    return this.current;
  }

  failed(path: string, error: unknown): void {
    this.failures++;
    // Not `instanceof Error`: errors from another realm (a test runner's) fail that test.
    const message = (error as { message?: unknown } | undefined)?.message;
    const cause = typeof message === 'string' ? message : String(error);
    if (this.current?.cause === cause && this.current.path === path) return;
    this.current = { setting: this.setting, path, cause, since: this.now() };
    this.emit('failing', this.current);
  }

  /** A write worked; `detail` goes with the recovery's log line (lines written, lines lost). */
  succeeded(detail: Record<string, number> = {}): void {
    const ended = this.current;
    if (!ended) return;
    this.current = undefined;
    this.emit('recovered', ended, detail);
  }

  /** The file is no longer written (its setting emptied): no failure stands. */
  reset(): void {
    this.current = undefined;
  }
}
