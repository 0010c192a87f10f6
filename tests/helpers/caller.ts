import { AriEvent } from '../../src/ari/eventStream';
import { isGone } from '../../src/ari/errors';
import type { TestDriver } from './testDriver';

/**
 * One test call over a Local channel pair: the driver holds the ;1 half (it keys DTMF),
 * the app under test gets the ;2 half. Everything asserted is what that caller observes.
 */
export class Caller {
  constructor(
    private readonly driver: TestDriver,
    /** ;1, in the driver's app: DTMF is sent from here. */
    readonly driverChannel: string,
    /** ;2, the channel the conference app handles. */
    readonly appChannel: string,
  ) {}

  /** Keys digits as a phone would (RFC 2833-like timing on the Local pair). */
  async dtmf(keys: string, between = 100, duration = 100): Promise<void> {
    // The app may answer and prompt before the ;1 half reaches the driver's Stasis app (409 until then).
    await this.answered();
    await this.driver.rest.post(`/channels/${this.driverChannel}/dtmf`, { dtmf: keys, between, duration });
  }

  async hangup(): Promise<void> {
    await this.driver.rest.delete(`/channels/${this.driverChannel}`).catch((error: unknown) => {
      if (!isGone(error)) throw error;
    });
  }

  private mine(event: AriEvent): boolean {
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

  /** Waits until the app has answered the call and it is ready for keys. */
  async answered(timeoutMs = 10000): Promise<void> {
    await this.driver.waitFor((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === this.driverChannel, timeoutMs, `answer of ${this.appChannel}`);
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
