import { randomUUID } from 'node:crypto';
import { AriCalls } from './ariCalls';
import { PlaybackEvent } from '../app/appEvents';
import { Prompt, PromptPlayer } from '../app/ports';

interface Tracked {
  readonly channelId: string;
  readonly done: () => void;
  stopRequested: boolean;
  pauseRequested: boolean;
  started: boolean;
}

/**
 * Channel playbacks with ids of our own, so a prompt can be paused or stopped before Asterisk
 * has even answered the play request: a pause or stop that comes too early is repeated at
 * PlaybackStarted (a playback left running would hold the channel's command queue; Asterisk
 * pauses only a playback that has started).
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
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const entry: Tracked = {
      channelId,
      stopRequested: false,
      pauseRequested: false,
      started: false,
      done: () => this.finish(id, channelId, done),
    };
    this.tracked.set(id, entry);
    const ids = this.byChannel.get(channelId);
    if (ids) ids.add(id);
    else this.byChannel.set(channelId, new Set([id]));
    this.ari.playOnChannel(channelId, id, media, lang).then(
      (alive) => {
        if (!alive) entry.done();
      },
      (error: unknown) => {
        entry.done();
        this.onError(error, channelId);
      },
    );
    return { id, finished, pause: () => this.pause(id), stop: () => this.stop(id) };
  }

  onEvent(event: { readonly type: PlaybackEvent['type']; readonly playback: { readonly id: string } }): void {
    const id = event.playback.id;
    const entry = this.tracked.get(id);
    if (!entry) return;
    if (event.type === 'PlaybackFinished') {
      entry.done();
    } else {
      entry.started = true;
      if (entry.stopRequested) this.sendStop(id, entry);
      else if (entry.pauseRequested) this.sendPause(id, entry);
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
    if (!entry || entry.stopRequested || entry.pauseRequested) return;
    entry.pauseRequested = true;
    if (entry.started) this.sendPause(id, entry);
  }

  private stop(id: string): void {
    const entry = this.tracked.get(id);
    if (!entry || entry.stopRequested) return;
    entry.stopRequested = true;
    this.sendStop(id, entry);
  }

  private sendPause(id: string, entry: Tracked): void {
    this.ari.pausePlayback(id).catch((error: unknown) => this.onError(error, entry.channelId));
  }

  private sendStop(id: string, entry: Tracked): void {
    this.ari.stopPlayback(id).catch((error: unknown) => this.onError(error, entry.channelId));
  }

  private finish(id: string, channelId: string, resolve: () => void): void {
    this.tracked.delete(id);
    const ids = this.byChannel.get(channelId);
    ids?.delete(id);
    if (ids?.size === 0) this.byChannel.delete(channelId);
    resolve();
  }
}
