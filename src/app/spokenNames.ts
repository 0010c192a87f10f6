import { channelOfSpokenName, spokenNameFor } from '../domain/spokenName';
import { Logger } from '../logger';
import { NameFiles } from './ports';
import { NamePlays } from './roomMedia';

/** A name is deleted this long after its call ended at the latest, even if an announcement of it never reported its end. */
const LONGEST_WAIT_MS = 60_000;

/**
 * The callers' recorded names (spoken names), kept in Asterisk from the recording until the call
 * ends, and past it until every announcement of the name ("NAME has left") has played: a file
 * deleted under a queued bridge playback would play as nothing.
 */
export class SpokenNames implements NamePlays {
  /** Names recorded (or being recorded) for calls still held, by channel. */
  private readonly known = new Map<string, string>();
  private readonly plays = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly files: NameFiles,
    private readonly log: Logger,
  ) {}

  /** The name the call records, from now on the app's to delete when the call ends. */
  nameFor(channelId: string): string {
    const name = spokenNameFor(channelId);
    this.known.set(channelId, name);
    return name;
  }

  playing(name: string, played: Promise<void>): void {
    const plays = this.plays.get(name) ?? new Set<Promise<void>>();
    this.plays.set(name, plays);
    plays.add(played);
    void played.then(() => {
      plays.delete(played);
      if (plays.size === 0 && this.plays.get(name) === plays) this.plays.delete(name);
    });
  }

  /** The call has ended: its name, if it recorded one, is deleted once its announcements have played. */
  async release(channelId: string): Promise<void> {
    const name = this.known.get(channelId);
    if (name === undefined) return;
    this.known.delete(channelId);
    let timer: NodeJS.Timeout | undefined;
    const longest = new Promise<void>((resolve) => (timer = setTimeout(resolve, LONGEST_WAIT_MS)));
    const plays: Array<Promise<void>> = [...(this.plays.get(name) ?? [])];
    await Promise.race([Promise.all(plays), longest]);
    clearTimeout(timer);
    await this.delete(name);
  }

  /**
   * At each (re)connect: the names Asterisk keeps of calls still held are the app's again
   * (`held` gives a participant's back to their room); those of calls that ended while the app
   * was away are deleted.
   */
  async recover(held: (channelId: string, name: string) => boolean): Promise<void> {
    for (const name of await this.files.storedRecordings()) {
      const channelId = channelOfSpokenName(name);
      if (channelId === undefined || this.known.has(channelId)) continue;
      if (held(channelId, name)) this.known.set(channelId, name);
      else await this.delete(name);
    }
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.files.deleteStored(name);
    } catch (error) {
      // Left in Asterisk's recordings folder: the next connect deletes it.
      this.log.warn('could not delete a recorded name', { event: 'name-delete-failed', name, error: String(error) });
    }
  }
}
