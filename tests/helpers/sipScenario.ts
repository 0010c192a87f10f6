import { AriEvent } from '../../src/ari/eventStream';
import { ObservedChannel } from './observedChannel';
import { keyRoomAndPin, RoomKeys } from './scenario';
import { SipPhone, SipPhoneOptions } from './sipPhone';
import type { TestDriver } from './testDriver';

/**
 * SIP phones for one test file: `start` them in a test, they are all stopped after it.
 * Declare before useScenario(): afterEach hooks run in the order declared, and the phones
 * must have hung up before the scenario checks that nothing is left.
 */
export function usePhones(): { start(options: SipPhoneOptions): Promise<SipPhone> } {
  const started: SipPhone[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((phone) => phone.stop()));
  });
  return {
    async start(options) {
      const phone = await SipPhone.start(options);
      started.push(phone);
      return phone;
    },
  };
}

/** Dials from the phone; resolves with the channel Asterisk made for that call, as the driver sees it. */
export async function dialFromPhone(driver: TestDriver, phone: SipPhone, number: string): Promise<ObservedChannel> {
  const isPhoneChannel = (e: AriEvent): boolean => e.type === 'ChannelCreated' && (e.channel as { name: string }).name.startsWith(`PJSIP/${phone.user}-`);
  const earlier = new Set(driver.events.filter(isPhoneChannel));
  await phone.dial(number);
  const created = await driver.waitFor((e) => isPhoneChannel(e) && !earlier.has(e), 5000, `the channel of ${phone.user}'s call`);
  return new ObservedChannel(driver, (created.channel as { id: string }).id);
}

/** Dials from the phone and keys room and PIN as asked, all in RFC 2833 DTMF. */
export async function joinRoomByPhone(driver: TestDriver, phone: SipPhone, dialled: string, keys: RoomKeys = {}): Promise<ObservedChannel> {
  const channel = await dialFromPhone(driver, phone, dialled);
  await keyRoomAndPin(channel, phone, keys);
  return channel;
}
