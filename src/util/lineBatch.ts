/**
 * Lines gathered for one write: handed to the destination once `maxBytes` are waiting, or
 * `maxDelayMs` after the first of them, whichever comes first; in order, never split.
 */
export class LineBatch {
  private lines: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly destination: { write(data: string): unknown },
    private readonly maxDelayMs: number,
    private readonly maxBytes: number,
  ) {}

  add(line: string): void {
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.maxBytes) this.flush();
    // Unref'd: a process with nothing else to do may end; its owner flushes at exit.
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs).unref();
  }

  /** Hands every waiting line to the destination now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    this.destination.write(this.lines.join(''));
    this.lines = [];
    this.bytes = 0;
  }
}
