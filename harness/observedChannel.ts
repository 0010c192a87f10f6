import { AriEvent } from '../src/ari/eventStream';
import type { TestDriver } from './testDriver';

/**
 * How long to wait, and from which of the driver's events on (a `driver.mark()`): a wait since
 * a mark tells a prompt played from then on from the same prompt played before.
 */
export interface Wait {
  readonly timeoutMs?: number;
  readonly since?: number;
}

/**
 * A channel the conference app handles, as the test driver sees it through ARI: what the
 * app plays to it and which bridge it is in. Whatever places the call (a Local channel
 * pair, a SIP phone) keys the DTMF; this only observes.
 */
export class ObservedChannel {
  constructor(
    protected readonly driver: TestDriver,
    /** The channel the conference app handles. */
    readonly appChannel: string,
  ) {}

  protected mine(event: AriEvent): boolean {
    const channel = event.channel as { id?: string } | undefined;
    if (channel?.id === this.appChannel) return true;
    const playback = event.playback as { target_uri?: string } | undefined;
    return playback?.target_uri === `channel:${this.appChannel}`;
  }

  /**
   * Every media the app played to this caller so far, in order. Asterisk sends PlaybackStarted
   * for each item of a media list (PlaybackContinuing names the item that just ended).
   */
  played(): string[] {
    return this.driver.events
      .filter((e) => e.type === 'PlaybackStarted' && this.mine(e))
      .map((e) => (e.playback as { media_uri: string }).media_uri);
  }

  /** Waits until the given media starts playing to this caller (since `since`, or ever). */
  async hears(media: string, wait: Wait = {}): Promise<void> {
    await this.waitForMine(
      (e) => e.type === 'PlaybackStarted' && (e.playback as { media_uri: string }).media_uri === media,
      wait,
      `${media} played to ${this.appChannel}`,
    );
  }

  /** Waits until the given media has played to its end (the last of a list names the list's end). */
  async heardToEnd(media: string, wait: Wait = {}): Promise<void> {
    await this.waitForMine(
      (e) => e.type === 'PlaybackFinished' && (e.playback as { media_uri: string }).media_uri === media,
      wait,
      `${media} played to its end to ${this.appChannel}`,
    );
  }

  async entersBridge(bridgeId: string, wait: Wait = {}): Promise<void> {
    await this.waitForMine(
      (e) => e.type === 'ChannelEnteredBridge' && (e.bridge as { id: string }).id === bridgeId,
      wait,
      `${this.appChannel} entering ${bridgeId}`,
    );
  }

  async hungUp(wait: Wait = {}): Promise<void> {
    await this.waitForMine((e) => e.type === 'ChannelDestroyed', wait, `hangup of ${this.appChannel}`);
  }

  /** A wait that, timing out, tells what the driver did see of this channel (which key got lost?). */
  private async waitForMine(match: (event: AriEvent) => boolean, { timeoutMs = 10000, since = 0 }: Wait, what: string): Promise<void> {
    try {
      await this.driver.waitFor((e) => this.mine(e) && match(e), timeoutMs, what, since);
    } catch (error) {
      throw new Error(`${(error as Error).message}; seen of this channel: ${this.history() || 'nothing'}`);
    }
  }

  /**
   * This channel's events so far, in short, each at its milliseconds since the first (Asterisk's
   * clock): "0 played sound:conf-getpin, 130 keys 1, 340 keys #, 352 in conference-801".
   */
  history(): string {
    const steps: string[] = [];
    let start: number | undefined;
    for (const e of this.driver.events.filter((event) => this.mine(event))) {
      const at = Date.parse(String(e.timestamp));
      start ??= at;
      const step = describe(e);
      if (step) steps.push(`${at - start} ${step}`);
    }
    return steps.join(', ');
  }

  /** The conference bridge this caller is in now, if any (read from ARI, not from the app). */
  async bridge(): Promise<string | undefined> {
    for (const [id, channels] of await this.driver.conferenceBridges()) if (channels.includes(this.appChannel)) return id;
    return undefined;
  }
}

function describe(e: AriEvent): string | undefined {
  switch (e.type) {
    case 'ChannelDtmfReceived':
      return `keys ${String(e.digit)}`;
    case 'PlaybackStarted':
      return `played ${(e.playback as { media_uri: string }).media_uri}`;
    case 'ChannelEnteredBridge':
      return `in ${(e.bridge as { id: string }).id}`;
    case 'ChannelLeftBridge':
      return `out of ${(e.bridge as { id: string }).id}`;
    case 'ChannelHangupRequest':
    case 'ChannelDestroyed':
      return e.type;
    default:
      return undefined;
  }
}
