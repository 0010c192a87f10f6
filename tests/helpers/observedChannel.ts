import { AriEvent } from '../../src/ari/eventStream';
import type { TestDriver } from './testDriver';

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

  /** Waits until the given media starts playing to this caller. */
  async hears(media: string, timeoutMs = 10000): Promise<void> {
    await this.driver.waitFor(
      (e) => e.type === 'PlaybackStarted' && this.mine(e) && (e.playback as { media_uri: string }).media_uri === media,
      timeoutMs,
      `${media} played to ${this.appChannel}`,
    );
  }

  async entersBridge(bridgeId: string, timeoutMs = 10000): Promise<void> {
    await this.driver.waitFor(
      (e) => e.type === 'ChannelEnteredBridge' && this.mine(e) && (e.bridge as { id: string }).id === bridgeId,
      timeoutMs,
      `${this.appChannel} entering ${bridgeId}`,
    );
  }

  async hungUp(timeoutMs = 10000): Promise<void> {
    await this.driver.waitFor((e) => e.type === 'ChannelDestroyed' && this.mine(e), timeoutMs, `hangup of ${this.appChannel}`);
  }

  /** The conference bridge this caller is in now, if any (read from ARI, not from the app). */
  async bridge(): Promise<string | undefined> {
    for (const [id, channels] of await this.driver.conferenceBridges()) if (channels.includes(this.appChannel)) return id;
    return undefined;
  }
}
