import { waitUntil } from '../../harness/waitUntil';
import { callerPcap } from '../../bench/sip/callPcap';
import { CallWatch, RtpSample } from '../../bench/sip/callWatch';
import { arrivals } from '../../bench/sip/scenario';
import { useScenario } from '../helpers/scenario';
import { sippThroughTrunk } from '../helpers/sipCallers';

// Two callers, each about 20 s from the INVITE to the BYE; room for a slow machine, not a performance goal.
const TEST_TIMEOUT_MS = 90000;

/**
 * The callers of `make bench-sip` (bench/sip/), for real: SIPp through the demo trunk's digest
 * authentication, G.711 audio for the whole call with the PIN keyed in it as RFC 4733 events.
 */
describe("make bench-sip's callers", () => {
  const s = useScenario();

  it(
    'get into one room through the trunk with their PIN keyed in their audio, and Asterisk receives all of their audio',
    async () => {
      const watch = new CallWatch(s.driver);
      const sipp = sippThroughTrunk({
        pcap: callerPcap({ durationMs: 20000, digits: '1234#', digitsAtMs: 1500 }),
        holdMs: 18000,
        callsPerSecond: 2,
        arrivals: arrivals(2, '88', 1),
      });
      try {
        await waitUntil(() => watch.counts().joined === 2, 20000, 'both callers in a room');
        const calls = watch.all();
        expect(calls.map((c) => c.keys)).toEqual(['1234#', '1234#']);
        const bridges = await s.driver.conferenceBridges();
        expect([...bridges.keys()]).toEqual(['conference-100']);
        expect([...bridges.values()][0]!.sort()).toEqual(calls.map((c) => c.id).sort());

        // Asterisk's statistics are refreshed with its RTCP reports, every 5 s.
        const first = await watch.sampleRtp();
        await new Promise((resolve) => setTimeout(resolve, 6000));
        const last = await watch.sampleRtp();
        const over = (id: string, field: keyof RtpSample): number => last.get(id)![field] - first.get(id)![field];
        for (const call of calls) {
          // A report's worth of 20 ms packets at least, and none lost.
          expect(over(call.id, 'received')).toBeGreaterThanOrEqual(200);
          expect(over(call.id, 'lost')).toBe(0);
        }
        const outcome = await sipp.finished();
        expect({ successful: outcome.successful, failed: outcome.failed }).toEqual({ successful: 2, failed: 0 });
      } finally {
        await sipp.kill();
        watch.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
