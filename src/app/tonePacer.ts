/** Plays media to the room's bridge: resolves once Asterisk has answered, with the playback's end (undefined: nothing played). */
export type PlayToRoom = (media: readonly string[]) => Promise<{ readonly finished: Promise<void> } | undefined>;

interface Announcement {
  readonly media: readonly string[];
  readonly played: () => void;
}

/**
 * A room's join and leave tones and announcements into its bridge: one bridge playback request at
 * a time, starts at least `spacingMs` apart. A burst of joins and leaves ends in one tone, the
 * latest asked for; an announcement (a spoken name) is never merged nor dropped, and goes ahead
 * of a tone. One at a time because Asterisk answers a second playback on a bridge whose first is
 * still being set up with 500 "Allocation failed" (both make the bridge's announcer channel;
 * res/ari/resource_bridges.c): under load a set-up took up to 1.8 s in the soak, longer than
 * any spacing.
 */
export class TonePacer {
  private lastStartAt = -Infinity;
  private inFlight = false;
  private held: string | undefined;
  private readonly announcements: Announcement[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `play` never rejects: a failed request is answered all the same. */
  constructor(
    private readonly play: PlayToRoom,
    private readonly now: () => number,
    private readonly spacingMs: number,
  ) {}

  request(media: string): void {
    if (this.closed) return;
    this.held = media;
    this.release();
  }

  /** Settles once the announcement has played out (or failed), or was dropped with the room. */
  announce(media: readonly string[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((played) => {
      this.announcements.push({ media, played });
      this.release();
    });
  }

  /** The room is gone: a tone held back and the announcements still queued are dropped. */
  close(): void {
    this.closed = true;
    this.held = undefined;
    for (const announcement of this.announcements.splice(0)) announcement.played();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private release(): void {
    if (this.inFlight || this.timer !== undefined || this.closed) return;
    if (this.held === undefined && this.announcements.length === 0) return;
    const wait = this.lastStartAt + this.spacingMs - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.release();
      }, wait);
      return;
    }
    const announcement = this.announcements.shift();
    const media = announcement?.media ?? [this.held as string];
    if (!announcement) this.held = undefined;
    this.lastStartAt = this.now();
    this.inFlight = true;
    void this.play(media).then((playing) => {
      this.inFlight = false;
      if (announcement) void (playing?.finished ?? Promise.resolve()).then(announcement.played);
      this.release();
    });
  }
}
