import { isGone } from '../src/ari/errors';
import { ObservedChannel } from './observedChannel';
import type { TestDriver } from './testDriver';

/**
 * One test call over a Local channel pair: the driver holds the ;1 half (it keys DTMF),
 * the app under test gets the ;2 half. Everything asserted is what that caller observes.
 */
export class Caller extends ObservedChannel {
  constructor(
    driver: TestDriver,
    /** ;1, in the driver's app: DTMF is sent from here. */
    readonly driverChannel: string,
    /** ;2, the channel the conference app handles. */
    appChannel: string,
  ) {
    super(driver, appChannel);
  }

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

  /** Waits until the app has answered the call and it is ready for keys. */
  async answered(timeoutMs = 10000): Promise<void> {
    await this.driver.waitFor(
      (e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === this.driverChannel,
      timeoutMs,
      `answer of ${this.appChannel}`,
    );
  }
}
