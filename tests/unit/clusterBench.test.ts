import { callerPcap, linearToUlaw } from '../../bench/sip/callPcap';
import { SipCall } from '../../bench/sip/callWatch';
import { burstOnsets, CapturedRtp, hopDelays, readRtpCapture, ulawToLinear } from '../../bench/cluster/rtpCapture';
import { capacityModel, clusterRunResult, ClusterRunRecord, nodesFor, relayedJoins } from '../../bench/cluster/clusterSummary';

const call = (id: string, fields: Partial<SipCall> = {}): SipCall => ({ id, createdAt: 0, dialled: '88100', keys: '', ...fields });

describe('the capture of what listeners receive (bench/cluster/rtpCapture.ts)', () => {
  it('decodes µ-law as the inverse of the encoder, to within its step', () => {
    for (const sample of [0, 1, -1, 100, -100, 1000, -5000, 12345, -32000]) {
      const back = ulawToLinear(linearToUlaw(sample));
      expect(Math.abs(back - sample)).toBeLessThanOrEqual(Math.max(4, Math.abs(sample) / 16));
    }
  });

  it('reads a capture of RTP packets: their times, ports and levels; tone bursts stand out of silence', () => {
    const bursts = { hz: 1000, fromMs: 200, everyMs: 500, lengthMs: 100, count: 3 };
    const packets = readRtpCapture(callerPcap({ durationMs: 1800, audio: bursts }));
    expect(packets).toHaveLength(90);
    expect(packets.slice(0, 3).map((p) => p.atMs)).toEqual([0, 20, 40]);
    expect(new Set(packets.map((p) => p.dstPort))).toEqual(new Set([6000]));
    const loud = packets.filter((p) => p.level > 1000).map((p) => p.atMs);
    expect(loud).toEqual([200, 220, 240, 260, 280, 700, 720, 740, 760, 780, 1200, 1220, 1240, 1260, 1280]);
    expect(burstOnsets(packets)).toEqual([200, 700, 1200]);
  });

  it('sends silence when asked, and speech-like audio by default', () => {
    expect(readRtpCapture(callerPcap({ durationMs: 400, audio: 'silence' })).every((p) => p.level === 0)).toBe(true);
    expect(readRtpCapture(callerPcap({ durationMs: 2000 })).some((p) => p.level > 1000)).toBe(true);
  });

  it('starts a burst only after a quiet stretch, and skips what is not G.711 µ-law', () => {
    const at = (atMs: number, level: number): CapturedRtp => ({ atMs, dstPort: 1, level });
    const packets = [
      at(0, 5000),
      at(20, 5000),
      at(40, 0),
      at(60, 5000),
      ...[80, 100, 120, 140, 160].map((t) => at(t, 0)),
      at(170, NaN),
      at(180, 4000),
    ];
    expect(burstOnsets(packets)).toEqual([0, 180]);
  });

  it("pairs each burst heard on the room's node with the other node's next one, within its window", () => {
    expect(hopDelays([1000, 2000, 3000, 4000], [1003, 2050, 3400, 3995])).toEqual([3, 50, -5]);
  });
});

describe('the figures of make bench-cluster (bench/cluster/clusterSummary.ts)', () => {
  it("times a relayed join from the caller's '#' on its node to its leg entering the room", () => {
    const landings = [call('a', { hashAt: 1000 }), call('b', { hashAt: 2000 }), call('c')];
    const legs = [
      call('leg-a', { dialled: '100*external*a', hashAt: 1002, enteredAt: 1010 }),
      call('leg-b', { dialled: '101*internal*b', hashAt: 2001, enteredAt: 2030 }),
      call('leg-c', { dialled: '102*external*c', enteredAt: 3000 }),
      call('leg-x', { dialled: '103*external*unknown', hashAt: 1, enteredAt: 5 }),
    ];
    expect(relayedJoins(legs, landings)).toEqual({ latencies: [10, 30], keyHops: [1, 2] });
  });

  it("times the '#' on the room's node where the landing node passed the keys on at the RTP level", () => {
    const landings = [call('a', { hashAt: 1000 }), call('b')];
    const legs = [
      call('leg-a', { dialled: '100*external*a', hashAt: 1002, enteredAt: 1010 }),
      call('leg-b', { dialled: '100*external*b', hashAt: 2001, enteredAt: 2004 }),
      call('leg-x', { dialled: '100*external*unknown', hashAt: 1, enteredAt: 5 }),
    ];
    expect(relayedJoins(legs, landings)).toEqual({ latencies: [3, 10], keyHops: [2] });
  });

  const record = (mode: 'home' | 'relayed'): ClusterRunRecord => ({
    plan: { mode, callers: 4, callsPerSecond: 8 },
    sipp: [
      { successful: 2, failed: 0, exitCode: 0, overloads: 0, errors: [] },
      { successful: 2, failed: 0, exitCode: 0, overloads: 0, errors: [] },
    ],
    homeCalls:
      mode === 'home'
        ? [
            call('first', { createdAt: 0, hashAt: 100, enteredAt: 105 }),
            call('first2', { createdAt: 0, hashAt: 100, enteredAt: 200 }),
            call('h1', { createdAt: 600, hashAt: 1000, enteredAt: 1004 }),
            call('h2', { createdAt: 700, hashAt: 1000, enteredAt: 1008 }),
          ]
        : [
            call('first', { createdAt: 0, hashAt: 100, enteredAt: 105 }),
            call('first2', { createdAt: 0, hashAt: 100, enteredAt: 200 }),
            call('l1', { createdAt: 650, dialled: '100*external*o1', hashAt: 1001, enteredAt: 1010 }),
            call('l2', { createdAt: 750, dialled: '101*external*o2', hashAt: 1002, enteredAt: 1020 }),
          ],
    otherCalls: mode === 'home' ? [] : [call('o1', { createdAt: 600, hashAt: 1000 }), call('o2', { createdAt: 700, hashAt: 1000 })],
    measuredFrom: 500,
    samples: [],
    window: { start: 10000, end: 20000 },
    cpu: {
      window: { asteriskHome: 0, asteriskOther: 0, appHome: 0, appOther: 0 },
      windowEnd: { asteriskHome: 200, asteriskOther: mode === 'home' ? 4 : 120, appHome: 4, appOther: mode === 'home' ? 0 : 8 },
    },
  });

  it("counts who is in a room on the room's node, times the measured joins only, and costs all four processes per participant-second", () => {
    const home = clusterRunResult(record('home'));
    expect(home).toMatchObject({ mode: 'home', joined: 4, sipp: { successful: 4, failed: 0 }, latencyMs: { p50: 4, max: 8 } });
    expect(home.keyHopMs).toBeUndefined();
    // 4 participants over the 10 s window: 40 participant-seconds.
    expect(home.cpuMsPerParticipantSecond).toEqual({ asteriskHome: 5, asteriskOther: 0.1, appHome: 0.1, appOther: 0, total: 5.2 });
    const relayed = clusterRunResult(record('relayed'));
    expect(relayed).toMatchObject({ mode: 'relayed', joined: 4, latencyMs: { p50: 10, max: 20 }, keyHopMs: 1 });
    expect(relayed.cpuMsPerParticipantSecond.total).toBe(8.3);
  });

  it('shrinks the capacity per core by the share of callers relayed, and finds the nodes a load needs', () => {
    // Relaying costs 60 % more; one node holds 150 per core.
    const rows = capacityModel(5, 8, 150, 2, [1, 2, 4]);
    expect(rows).toEqual([
      { nodes: 1, relayedShare: 0, costFactor: 1, perCore: 150, perNode: 300 },
      { nodes: 2, relayedShare: 0.5, costFactor: 1.3, perCore: 115, perNode: 230 },
      { nodes: 4, relayedShare: 0.75, costFactor: 1.45, perCore: 103, perNode: 206 },
    ]);
    expect(nodesFor(300, rows)).toBe(1);
    expect(nodesFor(301, rows)).toBe(2);
    expect(nodesFor(800, rows)).toBe(4);
    expect(nodesFor(900, rows)).toBeUndefined();
  });
});
