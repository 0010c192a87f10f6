import { waitUntil } from '../../harness/waitUntil';
import { callerPcap } from '../../bench/sip/callPcap';
import { CallWatch } from '../../bench/sip/callWatch';
import { joinRoom, useScenario } from '../helpers/scenario';
import { sippThroughTrunk } from '../helpers/sipCallers';

// One SIP caller, about 10 s from the INVITE to the BYE; room for a slow machine, not a performance goal.
const TEST_TIMEOUT_MS = 60000;

/**
 * Keys as a loaded Asterisk receives them: only each key's end, close together. Read outside a
 * prompt, Asterisk makes up each key's start and reports a key that comes too soon after the
 * previous one twice (main/channel.c); read as a prompt reads them, each key is reported once.
 */
describe('a SIP caller keying fast with only the ends of its keys arriving', () => {
  const s = useScenario();

  it(
    'is heard keying its PIN once per key, and gets into the room with it',
    async () => {
      const first = await joinRoom(s.driver, '88130', { pin: '1234' });
      await first.entersBridge('conference-130');

      const watch = new CallWatch(s.driver);
      const sipp = sippThroughTrunk({
        // Over the PIN prompt, a key every 100 ms: each held 40 ms, its start lost.
        pcap: callerPcap({ durationMs: 10000, digits: '1234#', digitsAtMs: 1500, toneMs: 40, gapMs: 60, beginsLost: true }),
        holdMs: 8000,
        callsPerSecond: 1,
        arrivals: [{ number: '88130', room: '130' }],
      });
      try {
        await waitUntil(() => watch.all().some((c) => c.keys.endsWith('#')), 15000, "the SIP caller's '#'");
        await waitUntil(() => watch.counts().joined === 1, 5000, 'the SIP caller in a room').catch(() => undefined);
        expect(watch.all().map((c) => c.keys)).toEqual(['1234#']);
        const bridges = await s.driver.conferenceBridges();
        expect(bridges.get('conference-130')?.sort()).toEqual([first.appChannel, watch.all()[0]!.id].sort());
      } finally {
        await sipp.kill();
        // SIPp killed sends no BYE: its call ends here, not at Asterisk's RTP timeout.
        for (const call of watch.all()) await s.driver.rest.delete(`/channels/${call.id}`).catch(() => undefined);
        watch.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
