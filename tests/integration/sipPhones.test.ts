import { ObservedChannel } from '../../harness/observedChannel';
import { tonesHeard } from '../helpers/toneLevel';
import { useScenario } from '../helpers/scenario';
import { dialFromPhone, joinRoomByPhone, untilOnlyVoices, usePhones } from '../helpers/sipScenario';

// Joining, the prompts, then listening: about 15 s; room for a slow machine, not a performance goal.
const AUDIO_TEST_TIMEOUT_MS = 60000;

/** Real SIP phones (baresip), RFC 2833 DTMF, and what the phones hear. */
describe('SIP phones', () => {
  const phones = usePhones();
  const s = useScenario();

  it('a phone dials 88 and keys room and PIN in RFC 2833 DTMF; a second one dials 88123 and joins it', async () => {
    const first = await phones.start({ user: '201' });
    const firstCall = await joinRoomByPhone(s.driver, first, '88', { room: '123#', pin: '4711' });
    await firstCall.entersBridge('conference-123');

    const second = await phones.start({ user: '202' });
    const secondCall = await joinRoomByPhone(s.driver, second, '88123', { pin: '4711' });
    await secondCall.entersBridge('conference-123');
    expect(await firstCall.bridge()).toBe('conference-123');
    expect(await secondCall.bridge()).toBe('conference-123');

    await second.hangup();
    await secondCall.hungUp();
    expect(await firstCall.bridge()).toBe('conference-123');
  });

  it('a call in through the trunk is refused when external access is off, and joins when it is on', async () => {
    const trunk = await phones.start({ user: 'trunk' });
    await s.harness.writeSettings({ externalAccess: false });
    try {
      const refused = await dialFromPhone(s.driver, trunk, '88127');
      await refused.hears('sound:conference/external-not-allowed');
      await trunk.callEnded();
      expect(refused.played()).not.toContain('sound:conf-getpin');
    } finally {
      await s.harness.writeSettings({ externalAccess: true });
    }
    const allowed = await joinRoomByPhone(s.driver, trunk, '88127');
    await allowed.entersBridge('conference-127');
  });

  it(
    'mixes the room: each phone hears the others, not itself, and not a muted one',
    async () => {
      const [a, b, c] = await Promise.all([
        phones.start({ user: '201', toneHz: 1000 }),
        phones.start({ user: '202', toneHz: 2000 }),
        phones.start({ user: '203' }),
      ]);
      const calls = await Promise.all([a, b, c].map((phone) => joinRoomByPhone(s.driver, phone, '88125')));
      await untilOnlyVoices(s.driver, 'conference-125', calls);

      const [heardByA, heardByC] = await Promise.all([a.listen(2000), c.listen(2000)]);
      expect(tonesHeard(heardByC, [1000, 2000])).toEqual({ 1000: 'heard', 2000: 'heard' });
      expect(tonesHeard(heardByA, [1000, 2000])).toEqual({ 1000: 'not heard', 2000: 'heard' });

      await a.dtmf('1');
      await calls[0]!.hears('sound:conference/muted');
      await untilOnlyVoices(s.driver, 'conference-125', calls);
      expect(tonesHeard(await c.listen(2000), [1000, 2000])).toEqual({ 1000: 'not heard', 2000: 'heard' });
    },
    AUDIO_TEST_TIMEOUT_MS,
  );

  it(
    'a G.711 µ-law phone and a G.722 phone in one room hear each other',
    async () => {
      const [ulaw, g722] = await Promise.all([
        phones.start({ user: '201', codec: 'PCMU', toneHz: 1000 }),
        phones.start({ user: '204', codec: 'G722', toneHz: 2000 }),
      ]);
      const calls = await Promise.all([ulaw, g722].map((phone) => joinRoomByPhone(s.driver, phone, '88126')));
      expect(await Promise.all(calls.map((call) => audioFormat(call)))).toEqual(['(ulaw)', '(g722)']);
      await untilOnlyVoices(s.driver, 'conference-126', calls);

      const [heardByUlaw, heardByG722] = await Promise.all([ulaw.listen(2000), g722.listen(2000)]);
      expect(tonesHeard(heardByUlaw, [1000, 2000])).toEqual({ 1000: 'not heard', 2000: 'heard' });
      expect(tonesHeard(heardByG722, [1000, 2000])).toEqual({ 1000: 'heard', 2000: 'not heard' });
    },
    AUDIO_TEST_TIMEOUT_MS,
  );

  /** The codec Asterisk agreed with the phone for this call. */
  async function audioFormat(call: ObservedChannel): Promise<string> {
    const answer = await s.driver.rest.get<{ value: string }>(`/channels/${call.appChannel}/variable`, {
      variable: 'CHANNEL(audionativeformat)',
    });
    return answer.value;
  }
});
