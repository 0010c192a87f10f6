import { arrivals, callerScenario, callersCsv, ROOM_SIZES } from '../../bench/sip/scenario';
import { RtpSample, SipCall } from '../../bench/sip/callWatch';
import { sippErrors } from '../../bench/sip/sippRun';
import { withBaselineSide } from '../../bench/baselineBuild';
import {
  audioQuality,
  baselineTable,
  capacity,
  degradedBy,
  participantSeconds,
  RunRecord,
  runResult,
  RunResult,
  runsTable,
} from '../../bench/sip/sipSummary';

const roomSizes = (list: ReturnType<typeof arrivals>): number[] => {
  const sizes = new Map<string, number>();
  for (const a of list) sizes.set(a.room, (sizes.get(a.room) ?? 0) + 1);
  return [...sizes.values()];
};

describe('the callers of a run (bench/sip/scenario.ts)', () => {
  it.each([2, 3, 10, 21, 22, 50, 300, 1000])('puts %i callers in rooms of 2 to 20, each dialling the side prefix and its room', (n) => {
    for (const seed of [1, 2, 3, 2024]) {
      const list = arrivals(n, '88', seed);
      expect(list).toHaveLength(n);
      for (const size of roomSizes(list)) {
        expect(size).toBeGreaterThanOrEqual(ROOM_SIZES.min);
        expect(size).toBeLessThanOrEqual(ROOM_SIZES.max);
      }
      for (const a of list) expect(a.number).toBe(`88${a.room}`);
    }
  });

  it('gives both sides the same rooms in the same order for a seed, and another order for another seed', () => {
    const app = arrivals(100, '88', 7).map((a) => a.room);
    expect(arrivals(100, '77', 7).map((a) => a.room)).toEqual(app);
    expect(arrivals(100, '88', 8).map((a) => a.room)).not.toEqual(app);
  });

  it('mixes the rooms over the arrival: the first room does not fill before the second starts', () => {
    const rooms = arrivals(200, '88', 2024).map((a) => a.room);
    const firstRoomLast = rooms.lastIndexOf(rooms[0]!);
    const otherRoomsBefore = new Set(rooms.slice(0, firstRoomLast)).size;
    expect(otherRoomsBefore).toBeGreaterThan(2);
  });

  it('refuses a run of fewer than two callers', () => {
    expect(() => arrivals(1, '88', 1)).toThrow(/at least 2 callers/);
  });

  it("writes SIPp's injection file: sequential, the number in field 0", () => {
    expect(
      callersCsv([
        { number: '88100', room: '100' },
        { number: '88101', room: '101' },
      ]),
    ).toBe('SEQUENTIAL\n88100;\n88101;\n');
  });

  it('has each caller authenticate, offer G.711 and RFC 4733 from a port of its own, play its media, hold, then hang up', () => {
    const xml = callerScenario({ user: 'trunk', pcapPath: '/tmp/x/caller.pcap', holdMs: 31020 });
    expect(xml).toContain('<recv response="401" auth="true"/>');
    expect(xml).toContain('[authentication username=trunk]');
    expect(xml).toContain('m=audio [auto_media_port] RTP/AVP 0 101');
    expect(xml).toContain('a=rtpmap:101 telephone-event/8000');
    expect(xml).toContain('<exec play_pcap_audio="/tmp/x/caller.pcap"/>');
    expect(xml).toContain('<pause milliseconds="31020"/>');
    expect(xml.indexOf('play_pcap_audio')).toBeLessThan(xml.indexOf('BYE [next_url]'));
    expect(xml.match(/CSeq: \d+ INVITE/g)).toEqual(['CSeq: 1 INVITE', 'CSeq: 2 INVITE']);
  });
});

const sample = (received: number, lost: number, jitterMs: number): RtpSample => ({ received, lost, jitterS: jitterMs / 1000 });

describe('the figures of a run (bench/sip/sipSummary.ts)', () => {
  it("takes each caller's loss over the window and its worst jitter, then the median and the worst caller", () => {
    const first = new Map([
      ['a', sample(100, 0, 1)],
      ['b', sample(100, 0, 2)],
      ['c', sample(100, 5, 1)],
    ]);
    const middle = new Map([
      ['a', sample(300, 0, 4)],
      ['b', sample(300, 0, 2)],
      ['c', sample(300, 5, 1)],
    ]);
    const last = new Map([
      ['a', sample(600, 0, 2)],
      ['b', sample(580, 20, 3)],
      ['c', sample(595, 10, 50)],
    ]);
    const quality = audioQuality([first, middle, last]);
    expect(quality.calls).toBe(3);
    // a: 0 of 500; b: 20 of 500 = 4 %; c: 5 of 500 = 1 % (its 5 lost before the window do not count)
    expect(quality.lossPct).toEqual({ median: 1, worst: 4 });
    expect(quality.jitterMs).toEqual({ median: 4, worst: 50 });
  });

  it('leaves out a caller not sampled at the window start (it joined late or its statistics were not there)', () => {
    const quality = audioQuality([
      new Map([['a', sample(100, 0, 1)]]),
      new Map([
        ['a', sample(600, 0, 1)],
        ['late', sample(50, 0, 9)],
      ]),
    ]);
    expect(quality.calls).toBe(1);
    expect(quality.jitterMs.worst).toBe(1);
  });

  it('counts the seconds callers spent in a room within the window only', () => {
    const calls: SipCall[] = [
      { id: 'in all along', createdAt: 0, dialled: '88100', keys: '', hashAt: 500, enteredAt: 1000 },
      { id: 'left in the middle', createdAt: 0, dialled: '88100', keys: '', hashAt: 500, enteredAt: 1000, leftAt: 15000 },
      { id: 'joined in the middle', createdAt: 0, dialled: '88100', keys: '', hashAt: 14000, enteredAt: 15000 },
      { id: 'never in', createdAt: 0, dialled: '88100', keys: '' },
    ];
    expect(participantSeconds(calls, { start: 10000, end: 20000 })).toBe(10 + 5 + 5);
  });

  it("counts who got in, and times each join from Asterisk's '#' to the room, the app's waiters for the first PIN apart", () => {
    const calls: SipCall[] = [
      { id: 'a', createdAt: 0, dialled: '88100', keys: '1234#', hashAt: 1000, enteredAt: 1004 },
      { id: 'b', createdAt: 0, dialled: '88100', keys: '1234#', hashAt: 1000, enteredAt: 1900 },
      // Read() acted on the key's start: counted 0, not negative.
      { id: 'c', createdAt: 0, dialled: '88100', keys: '1234#', hashAt: 1060, enteredAt: 1000 },
      // In a room without a '#' reported: in, with no latency.
      { id: 'd', createdAt: 0, dialled: '88100', keys: '1234', enteredAt: 1000 },
      { id: 'e', createdAt: 0, dialled: '88100', keys: '12334#', hashAt: 1000 },
    ];
    const cpu = { asterisk: 0, app: 0 };
    const record: RunRecord = {
      plan: { side: 'app', callers: 5, callsPerSecond: 8 },
      sipp: { successful: 5, failed: 0, exitCode: 0, overloads: 0, errors: [] },
      calls,
      samples: [new Map(), new Map()],
      window: { start: 2000, end: 3000 },
      cpu: { start: cpu, window: cpu, windowEnd: cpu, end: cpu },
      ariProcess: true,
      heapBytes: { withCallers: 0, without: 0 },
      waitedForFirstPin: new Set(['b']),
    };
    const result = runResult(record);
    expect(result.joined).toBe(4);
    expect(result.latencyMs).toEqual({ p50: 4, p95: 900, p99: 900, max: 900 });
    expect(result.waitedForFirstPin).toEqual({ callers: 1, othersLatencyMs: { p50: 0, p95: 4, p99: 4, max: 4 } });
    expect(result.degraded).toBe('1 of 5 callers not in a room');
  });

  it("gives the ARI process's CPU for the sketch as for the app, with no memory, and none for native", () => {
    const calls: SipCall[] = [{ id: 'a', createdAt: 0, dialled: '88100', keys: '1234#', hashAt: 1000, enteredAt: 1004 }];
    const at = (asterisk: number, app: number): { asterisk: number; app: number } => ({ asterisk, app });
    const record = (side: RunRecord['plan']['side'], ariProcess: boolean): RunRecord => ({
      plan: { side, callers: 1, callsPerSecond: 8 },
      sipp: { successful: 1, failed: 0, exitCode: 0, overloads: 0, errors: [] },
      calls,
      samples: [new Map(), new Map()],
      window: { start: 2000, end: 3000 },
      cpu: { start: at(0, 0), window: at(100, 12), windowEnd: at(105, 12.5), end: at(200, 20) },
      ariProcess,
    });
    expect(runResult(record('sketch', true)).app).toEqual({ cpuMsPerEntry: 12, cpuMsPerParticipantSecond: 0.5, cpuMsPerCaller: 20 });
    expect(runResult(record('native', false)).app).toBeUndefined();
  });

  it('calls a run past capacity when a caller did not get in, or the median caller lost over 1 % or had over 30 ms of jitter', () => {
    const quality = (loss: number, jitter: number): RunResult['quality'] => ({
      calls: 10,
      lossPct: { median: loss, worst: 9 },
      jitterMs: { median: jitter, worst: 99 },
    });
    expect(degradedBy({ callers: 10, joined: 10, quality: quality(1, 30) })).toBeUndefined();
    expect(degradedBy({ callers: 10, joined: 9, quality: quality(0, 0) })).toBe('1 of 10 callers not in a room');
    expect(degradedBy({ callers: 10, joined: 10, quality: quality(1.2, 0) })).toMatch(/median loss 1.2 %/);
    expect(degradedBy({ callers: 10, joined: 10, quality: quality(0, 31) })).toMatch(/median jitter 31 ms/);
    expect(degradedBy({ callers: 10, joined: 10, quality: quality(NaN, NaN) })).toMatch(/median loss NaN/);
  });

  const run = (side: RunResult['side'], callers: number, degraded?: string): RunResult => ({
    side,
    callers,
    callsPerSecond: 8,
    sipp: { successful: callers, failed: 0, overloads: 0, errors: [] },
    joined: callers,
    latencyMs: { p50: 2, p95: 4, p99: 9, max: 12 },
    quality: { calls: callers, lossPct: { median: 0, worst: 0.5 }, jitterMs: { median: 1.5, worst: 4 } },
    asterisk: { cpuMsPerParticipantSecond: 5.1, cpuMsPerCaller: 170 },
    ...(side !== 'native'
      ? { app: { cpuMsPerEntry: 1.2, cpuMsPerParticipantSecond: 0.2, cpuMsPerCaller: 10, heapKbPerParticipant: 1.5 } }
      : {}),
    ...(degraded ? { degraded } : {}),
  });

  it("finds each side's capacity: its largest run below the first degraded one, or says it was not reached", () => {
    const runs = [run('native', 100), run('app', 100), run('native', 300, 'x'), run('app', 300), run('native', 200), run('app', 200, 'y')];
    expect(capacity(runs, 'native')).toEqual({ participants: 200, reached: true });
    expect(capacity(runs, 'app')).toEqual({ participants: 100, reached: true });
    expect(capacity([run('app', 100), run('app', 200)], 'app')).toEqual({ participants: 200, reached: false });
  });

  it("tables the runs by size, the app's CPU added to Asterisk's per caller", () => {
    const table = runsTable([run('app', 200), run('native', 100), run('native', 200, 'median jitter 31 ms over 30 ms')]).split('\n');
    expect(table).toHaveLength(5);
    expect(table[2]).toMatch(/^\| native \| 100 \| 100 \(100 %\) \| 2 \| 4 \| 9 \| 12 \| {2}\| 0 \/ 0.5 \| 1.5 \/ 4 \| 5.1 \| 170 \|/);
    expect(table[3]).toContain('| app | 200 |');
    expect(table[3]).toContain('| 180 (170 + 10) |');
    expect(table[4]).toMatch(/median jitter 31 ms over 30 ms \|$/);
  });
});

describe('the app against its baseline (BENCH_SIP_BASELINE)', () => {
  const variables = { sides: 'BENCH_SIP_SIDES', baseline: 'BENCH_SIP_BASELINE' };

  it('runs the baseline right after the app, or where the sides name it, and only with a revision to build', () => {
    expect(withBaselineSide(['native', 'app'], true, variables)).toEqual(['native', 'app', 'app-baseline']);
    expect(withBaselineSide(['app', 'native'], true, variables)).toEqual(['app', 'app-baseline', 'native']);
    expect(withBaselineSide(['app-baseline', 'app'], true, variables)).toEqual(['app-baseline', 'app']);
    expect(withBaselineSide(['native'], true, variables)).toEqual(['native', 'app-baseline']);
    expect(withBaselineSide(['native', 'app'], false, variables)).toEqual(['native', 'app']);
    expect(() => withBaselineSide(['app-baseline'], false, variables)).toThrow(
      'BENCH_SIP_SIDES names app-baseline: set BENCH_SIP_BASELINE to the git revision of the app to compare with',
    );
  });

  const sample = (side: RunResult['side'], callers: number, p99: number, appCpuPerCaller: number, cpuMsPerEntry: number): RunResult => ({
    side,
    callers,
    callsPerSecond: 8,
    sipp: { successful: callers, failed: 0, overloads: 0, errors: [] },
    joined: callers,
    latencyMs: { p50: 2, p95: 4, p99, max: p99 },
    quality: { calls: callers, lossPct: { median: 0, worst: 0 }, jitterMs: { median: 1, worst: 2 } },
    asterisk: { cpuMsPerParticipantSecond: 5, cpuMsPerCaller: 200 },
    app: { cpuMsPerEntry, cpuMsPerParticipantSecond: 0.2, cpuMsPerCaller: appCpuPerCaller, heapKbPerParticipant: 3 },
  });

  it('pairs each size of the app with the same size of the baseline, with the ratio; a size without its pair is left out', () => {
    const table = baselineTable([
      sample('app-baseline', 100, 10, 20, 12),
      sample('app', 100, 8, 10, 6),
      sample('app', 200, 30, 12, 7),
    ]).split('\n');
    expect(table).toHaveLength(3);
    expect(table[2]).toBe('| 100 | 8 / 10 (0.8) | 210 / 220 (0.95) | 6 / 12 (0.5) | 3 / 3 (1) |');
  });
});

describe("SIPp's error file (bench/sip/sippRun.ts)", () => {
  it('counts its overload warnings and each kind of error once, with the first of the kind', () => {
    const text = [
      'The following events occurred:\n',
      '2026-12-02\t11:02:57.730650\t1796209377.730650: Overload warning: the minor watchdog timer 500ms has been tripped (524), 119 trips remaining.',
      '2026-12-02\t11:02:58.361333\t1796209378.361333: Overload warning: the minor watchdog timer 500ms has been tripped (632), 118 trips remaining.',
      '2026-12-02\t11:07:15.440071\t1796209635.440071: Call-Id: 402-15824@127.0.0.1, receive timeout on message conference caller:1 without label to jump to (ontimeout attribute): aborting call',
      '2026-12-02\t11:07:15.559598\t1796209635.559598: Call-Id: 403-15824@127.0.0.1, receive timeout on message conference caller:1 without label to jump to (ontimeout attribute): aborting call',
      "2026-12-02\t11:07:22.990116\t1796209642.990116: Dead call 412-15824@127.0.0.1 (aborted at index 1), received 'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1:45070\r\n",
    ].join('');
    const { overloads, errors } = sippErrors(text);
    expect(overloads).toBe(2);
    expect(errors).toEqual([
      '2 x Call-Id: 402-15824@127.0.0.1, receive timeout on message conference caller:1 without label to jump to (ontimeout attribute): aborting call',
      "Dead call 412-15824@127.0.0.1 (aborted at index 1), received 'SIP/2.0 401 Unauthorized\r",
    ]);
  });

  it('reads an empty file as no error', () => {
    expect(sippErrors('')).toEqual({ overloads: 0, errors: [] });
  });
});
