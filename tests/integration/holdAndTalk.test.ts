import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerPcap } from '../../bench/sip/callPcap';
import { CallWatch } from '../../bench/sip/callWatch';
import { ObservedChannel } from '../../harness/observedChannel';
import { waitUntil } from '../../harness/waitUntil';
import { callApi } from '../helpers/statusApi';
import { useScenario } from '../helpers/scenario';
import { sippThroughTrunk } from '../helpers/sipCallers';
import { joinRoomByPhone, untilOnlyVoices, usePhones } from '../helpers/sipScenario';
import { tonesHeard } from '../helpers/toneLevel';

const TOKEN = 'hold-and-talk-test-token';
const AUDIO_TEST_TIMEOUT_MS = 90000;
const HOLD_MUSIC_HZ = 1000;

/** What the status API shows of one participant. */
type ParticipantView = { channel: string; onHold: boolean; talking: boolean; talkingSince: string | null };

describe('a participant on hold, and who is talking', () => {
  const phones = usePhones();
  const eventsPath = join(mkdtempSync(join(tmpdir(), 'hold-events-')), 'events.jsonl');
  const s = useScenario({ api: { port: 0, token: TOKEN }, talkDetection: { silenceMs: 600 }, eventsLog: { path: eventsPath } });

  async function participant(room: string, channel: string): Promise<ParticipantView | undefined> {
    const view = (await callApi(s.harness, 'GET', `/rooms/${room}`, TOKEN)).json as { participants?: ParticipantView[] };
    return view.participants?.find((p) => p.channel === channel);
  }

  it(
    'a phone that plays music while it holds the call is muted towards the room until it takes the call back',
    async () => {
      // Two phones and the caller: a room that mixes, as any of more than two does.
      const [listener, other] = await Promise.all([phones.start({ user: '201' }), phones.start({ user: '202' })]);
      const first = await joinRoomByPhone(s.driver, listener, '88140', { pin: '1234' });
      await first.entersBridge('conference-140');
      const second = await joinRoomByPhone(s.driver, other, '88140', { pin: '1234' });
      await second.entersBridge('conference-140');

      // A caller behind a trunk: its PIN, then a tone as its line's audio from 3 s to the end of
      // the call, through a hold from 16 s to 24 s (after the answer) that does not stop it.
      const watch = new CallWatch(s.driver);
      const sipp = sippThroughTrunk({
        pcap: callerPcap({
          durationMs: 38000,
          digits: '1234#',
          digitsAtMs: 1500,
          audio: { hz: HOLD_MUSIC_HZ, fromMs: 3000, everyMs: 36000, lengthMs: 34000, count: 1 },
        }),
        holdMs: 36000,
        onHold: { atMs: 16000, forMs: 8000 },
        callsPerSecond: 1,
        arrivals: [{ number: '88140', room: '140' }],
      });
      try {
        await waitUntil(() => watch.counts().joined === 1, 15000, 'the SIP caller in room 140');
        const holder = watch.all()[0]!.id;
        await waitUntil(async () => (await participant('140', holder))?.talking === true, 10000, "the caller's tone taken for talk");
        // Each has heard their welcome (a channel hearing a prompt is out of the mix meanwhile).
        await untilOnlyVoices(s.driver, 'conference-140', [first, second, new ObservedChannel(s.driver, holder)]);
        expect(tonesHeard(await listener.listen(2000), [HOLD_MUSIC_HZ])).toEqual({ [HOLD_MUSIC_HZ]: 'heard' });

        await waitUntil(async () => (await participant('140', holder))?.onHold === true, 15000, 'the caller on hold');
        // The room hears nothing of the line on hold: its "music" goes on, muted.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(tonesHeard(await listener.listen(3000), [HOLD_MUSIC_HZ])).toEqual({ [HOLD_MUSIC_HZ]: 'not heard' });
        expect(s.harness.app.rooms.isMuted('140', holder)).toBe(false);
        const metrics = (await callApi(s.harness, 'GET', '/metrics', null)).text;
        expect(metrics).toMatch(/^conference_participants_on_hold 1$/m);

        await waitUntil(async () => (await participant('140', holder))?.onHold === false, 15000, 'the caller back from hold');
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(tonesHeard(await listener.listen(2000), [HOLD_MUSIC_HZ])).toEqual({ [HOLD_MUSIC_HZ]: 'heard' });
        const holds = readFileSync(eventsPath, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => line.event === 'hold');
        expect(holds.map((line) => [line.room, line.channel, line.held])).toEqual([
          ['140', holder, true],
          ['140', holder, false],
        ]);
      } finally {
        await sipp.kill();
        // SIPp killed sends no BYE: its call ends here, not at Asterisk's RTP timeout.
        for (const call of watch.all()) await s.driver.rest.delete(`/channels/${call.id}`).catch(() => undefined);
        watch.stop();
      }
    },
    AUDIO_TEST_TIMEOUT_MS,
  );

  it(
    'a phone sending its voice shows talking in the status API, with the time since; a silent one does not',
    async () => {
      const [talker, silent] = await Promise.all([phones.start({ user: '201', toneHz: 600 }), phones.start({ user: '202' })]);
      const calls = [await joinRoomByPhone(s.driver, talker, '88141', { pin: '55' })];
      await calls[0]!.entersBridge('conference-141');
      calls.push(await joinRoomByPhone(s.driver, silent, '88141', { pin: '55' }));
      await untilOnlyVoices(s.driver, 'conference-141', calls);
      const [talking, quiet] = calls.map((call) => call.appChannel);

      await waitUntil(async () => (await participant('141', talking!))?.talking === true, 10000, 'the talker to be talking');
      const view = await participant('141', talking!);
      expect(Date.parse(view!.talkingSince!)).toBeLessThanOrEqual(Date.now());
      expect(await participant('141', quiet!)).toMatchObject({ talking: false, talkingSince: null });
      const metrics = (await callApi(s.harness, 'GET', '/metrics', null)).text;
      expect(metrics).toMatch(/^conference_participants_talking 1$/m);

      // Muted, the room no longer hears them: not talking.
      expect((await callApi(s.harness, 'POST', `/rooms/141/mute/${talking}`, TOKEN)).status).toBe(200);
      expect(await participant('141', talking!)).toMatchObject({ talking: false, talkingSince: null });
    },
    AUDIO_TEST_TIMEOUT_MS,
  );
});
