import { AriEvent } from '../../src/ari/eventStream';
import { Sound } from '../../src/app/media';
import { waitUntil } from '../../harness/waitUntil';
import { ObservedChannel } from '../../harness/observedChannel';
import { keyRoomAndPin, RoomKeys } from './scenario';
import { SipPhone, SipPhoneOptions } from './sipPhone';
import type { TestDriver } from '../../harness/testDriver';

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

/**
 * Dials from the phone; resolves with the channel Asterisk made for that call, as the driver sees
 * it: the phone's own (PJSIP/<user>-...), or, for a call another node passes on to the driver's
 * Asterisk, the channel it comes in on (`channelPrefix` PJSIP/cluster-).
 */
export async function dialFromPhone(
  driver: TestDriver,
  phone: SipPhone,
  number: string,
  channelPrefix = `PJSIP/${phone.user}-`,
): Promise<ObservedChannel> {
  const isPhoneChannel = (e: AriEvent): boolean =>
    e.type === 'ChannelCreated' && (e.channel as { name: string }).name.startsWith(channelPrefix);
  const earlier = new Set(driver.events.filter(isPhoneChannel));
  await phone.dial(number);
  const created = await driver.waitFor((e) => isPhoneChannel(e) && !earlier.has(e), 5000, `the channel of ${phone.user}'s call`);
  return new ObservedChannel(driver, (created.channel as { id: string }).id);
}

/** Dials from the phone and keys room and PIN as asked, all in RFC 2833 DTMF. */
export async function joinRoomByPhone(
  driver: TestDriver,
  phone: SipPhone,
  dialled: string,
  keys: RoomKeys = {},
  channelPrefix?: string,
): Promise<ObservedChannel> {
  const channel = await dialFromPhone(driver, phone, dialled, channelPrefix);
  await keyRoomAndPin(channel, phone, keys);
  return channel;
}

/**
 * Waits until the room holds exactly these callers (no music-on-hold announcer) and nothing is
 * played anywhere (prompts, join tones): from then on a phone hears only the others.
 */
export async function untilOnlyVoices(driver: TestDriver, bridgeId: string, members: readonly ObservedChannel[]): Promise<void> {
  const expected = members.map((m) => m.appChannel).sort();
  await waitUntil(
    async () => {
      // The announcements and the join tone start once the joins have gone through (50 ms of
      // quiet): before they have started, nothing plays either.
      if (!members.every((m) => m.played().includes(Sound.entering))) return false;
      const channels = (await driver.conferenceBridges()).get(bridgeId) ?? [];
      return JSON.stringify([...channels].sort()) === JSON.stringify(expected) && playing(driver.events).size === 0;
    },
    15000,
    `${bridgeId} to hold only its callers, each announced, with nothing playing`,
  );
}

function playing(events: readonly AriEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const e of events) {
    const id = (e.playback as { id?: string } | undefined)?.id;
    if (!id) continue;
    if (e.type === 'PlaybackStarted') ids.add(id);
    else if (e.type === 'PlaybackFinished') ids.delete(id);
  }
  return ids;
}
