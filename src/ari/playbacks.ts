import { randomUUID } from 'node:crypto';
import { AriCalls } from './ariCalls';
import { PlaybackEvent } from '../app/appEvents';
import { Prompt, PromptPlayer } from '../app/ports';

interface Tracked {
  readonly channelId: string;
  readonly done: () => void;
  /** Settles once Asterisk has answered the play request: from then on it holds the playback (queued or playing). */
  readonly requested: Promise<unknown>;
  /** `requested` has settled: Asterisk has the playback to stop. */
  answered: boolean;
  /** The stop, once asked for: settles once it is on its way ahead of any later request (see stop). */
  stopped?: Promise<void>;
  pauseRequested: boolean;
  started: boolean;
}

/**
 * Channel playbacks with ids of our own, so a prompt can be paused or stopped before Asterisk
 * has even answered the play request.
 * - A stop waits for that answer, so Asterisk has the playback to stop (a queued one is then
 *   never played). A playback left running holds the channel's command queue: the join's
 *   `addChannel` waits behind it in Asterisk, holding one of the app's HTTP connections.
 * - So the caller's flow sends the join only once the stop is on its way: at once when the play
 *   request had been answered (the stop is handed to the connection pool first, which sends
 *   requests in order, so no join can hold the connection its own stop needs), else once Asterisk
 *   has answered the stop.
 * - Asterisk pauses only a playback that has started: a pause that comes earlier is sent at
 *   PlaybackStarted.
 */
export class Playbacks implements PromptPlayer {
  private readonly tracked = new Map<string, Tracked>();
  /** Playback ids per channel, so a hangup finds its prompts without scanning everyone's. */
  private readonly byChannel = new Map<string, Set<string>>();

  constructor(
    private readonly ari: AriCalls,
    private readonly onError: (error: unknown, channelId: string) => void,
  ) {}

  play(channelId: string, media: readonly string[], lang: string): Prompt {
    const id = randomUUID();
    const { finished } = this.track(channelId, id, this.ari.playOnChannel(channelId, id, media, lang));
    return { id, finished, pause: () => this.pause(id), stop: () => this.stop(id) };
  }

  /**
   * An announcement to everyone in a bridge, followed to its end like a prompt: `answered` once
   * Asterisk has answered the request, `finished` once it has played out (or failed). Those of a
   * bridge that is destroyed end with forgetChannel(bridgeId).
   */
  playOnBridge(bridgeId: string, media: readonly string[]): { answered: Promise<void>; finished: Promise<void> } {
    const id = randomUUID();
    const { requested, finished } = this.track(bridgeId, id, this.ari.playOnBridge(bridgeId, id, media));
    return { answered: requested.then(() => undefined), finished };
  }

  /** A playback on a channel or bridge (`targetId`), from its request (`sent`) to its end. */
  private track(targetId: string, id: string, sent: Promise<boolean>): { requested: Promise<unknown>; finished: Promise<void> } {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const requested = sent.then(
      (alive) => {
        entry.answered = true;
        if (!alive) entry.done();
      },
      (error: unknown) => {
        entry.done();
        this.onError(error, targetId);
      },
    );
    const entry: Tracked = {
      channelId: targetId,
      requested,
      answered: false,
      pauseRequested: false,
      started: false,
      done: () => this.finish(id, targetId, done),
    };
    this.tracked.set(id, entry);
    const ids = this.byChannel.get(targetId);
    if (ids) ids.add(id);
    else this.byChannel.set(targetId, new Set([id]));
    return { requested, finished };
  }

  onEvent(event: { readonly type: PlaybackEvent['type']; readonly playback: { readonly id: string } }): void {
    const id = event.playback.id;
    const entry = this.tracked.get(id);
    if (!entry) return;
    if (event.type === 'PlaybackFinished') {
      entry.done();
    } else {
      entry.started = true;
      if (entry.pauseRequested && !entry.stopped) this.sendPause(id, entry);
    }
  }

  /** The channel has left Stasis: none of its prompts will report back. */
  forgetChannel(channelId: string): void {
    for (const id of [...(this.byChannel.get(channelId) ?? [])]) this.tracked.get(id)?.done();
  }

  get size(): number {
    return this.tracked.size;
  }

  private pause(id: string): void {
    const entry = this.tracked.get(id);
    if (!entry || entry.stopped || entry.pauseRequested) return;
    entry.pauseRequested = true;
    if (entry.started) this.sendPause(id, entry);
  }

  private stop(id: string): Promise<void> {
    const entry = this.tracked.get(id);
    if (!entry) return Promise.resolve();
    if (entry.stopped) return entry.stopped;
    const send = (): Promise<void> =>
      this.ari.stopPlayback(id).then(
        () => undefined,
        (error: unknown) => this.onError(error, entry.channelId),
      );
    if (entry.answered) {
      // Handed to the pool now, a stop goes out ahead of any request made after it.
      void send();
      entry.stopped = Promise.resolve();
    } else {
      entry.stopped = entry.requested.then(send);
    }
    return entry.stopped;
  }

  private sendPause(id: string, entry: Tracked): void {
    this.ari.pausePlayback(id).catch((error: unknown) => this.onError(error, entry.channelId));
  }

  private finish(id: string, channelId: string, resolve: () => void): void {
    this.tracked.delete(id);
    const ids = this.byChannel.get(channelId);
    ids?.delete(id);
    if (ids?.size === 0) this.byChannel.delete(channelId);
    resolve();
  }
}
