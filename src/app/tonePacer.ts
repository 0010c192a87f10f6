/**
 * A room's join and leave tones into its bridge: one bridge playback request at a time, starts
 * at least `spacingMs` apart, and a burst of joins and leaves ends in one tone, the latest asked
 * for. One at a time because Asterisk answers a second playback on a bridge whose first is
 * still being set up with 500 "Allocation failed" (both make the bridge's announcer channel;
 * res/ari/resource_bridges.c): under load a set-up took up to 1.8 s in the soak, longer than
 * any spacing.
 */
export class TonePacer {
  private lastStartAt = -Infinity;
  private inFlight = false;
  private held: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `play` resolves once Asterisk has answered the playback request, whatever the answer. */
  constructor(
    private readonly play: (media: string) => Promise<void>,
    private readonly now: () => number,
    private readonly spacingMs: number,
  ) {}

  request(media: string): void {
    if (this.closed) return;
    this.held = media;
    this.release();
  }

  /** The room is gone: a tone held back is dropped. */
  close(): void {
    this.closed = true;
    this.held = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private release(): void {
    if (this.held === undefined || this.inFlight || this.timer !== undefined || this.closed) return;
    const wait = this.lastStartAt + this.spacingMs - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.release();
      }, wait);
      return;
    }
    const media = this.held;
    this.held = undefined;
    this.lastStartAt = this.now();
    this.inFlight = true;
    void this.play(media).finally(() => {
      this.inFlight = false;
      this.release();
    });
  }
}
