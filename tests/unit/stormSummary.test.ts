import { ratiosTo, ratioTable, roundRatios, StormResult, summarize } from '../../bench/stormSummary';

function storm(mode: StormResult['mode'], latencies: number[], extra: Partial<StormResult> = {}): StormResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    mode,
    callers: 4,
    rooms: 2,
    joined: sorted.length,
    failed: 0,
    lost: 0,
    latenciesMs: sorted,
    latencyMs: { p50: sorted[1]!, p95: 0, p99: 0, max: sorted.at(-1)! },
    asteriskCpuMsPerJoin: 1,
    ...extra,
  };
}

const app = (cpuMsPerJoin: number, rss: number, ariErrors: number) => ({
  cpuMsPerJoin,
  cpuMsPerCall: 2,
  rssKbPerParticipant: rss,
  rssWithFreeHeapKbPerParticipant: rss,
  heapKbPerParticipant: 5,
  eventLoopDelayP99Ms: 10,
  ariErrors,
  waitedForFirstPin: 1,
});

describe('the storms of a side read together (make bench)', () => {
  it("takes percentiles over every join of every storm, and keeps each storm's p50 as the spread", () => {
    const [native] = summarize([storm('native', [1, 2, 3, 4]), storm('native', [10, 20, 30, 40])]);
    expect(native).toMatchObject({ storms: 2, joined: 8, latencyMs: { p50: 4, p95: 40, p99: 40, max: 40 }, p50PerStormMs: [2, 20] });
  });

  it('groups by side and size in the order they first ran', () => {
    const sides = summarize([storm('native', [1]), storm('app', [2]), storm('native', [3]), storm('app', [4], { callers: 10 })]);
    expect(sides.map((s) => `${s.mode} ${s.callers} ${s.storms}`)).toEqual(['native 4 2', 'app 4 1', 'app 10 1']);
  });

  it('keeps a size run again at the end (warm) apart from its first runs', () => {
    const sides = summarize([storm('app', [6, 6, 6]), storm('app', [4, 4, 4], { warm: true }), storm('app', [5, 5, 5], { warm: true })]);
    expect(sides.map((s) => ({ warm: s.warm, storms: s.storms, p50: s.latencyMs.p50 }))).toEqual([
      { warm: undefined, storms: 1, p50: 6 },
      { warm: true, storms: 2, p50: 4 },
    ]);
  });

  it("weighs CPU per join by each storm's joins, takes the median memory figure, and adds up errors", () => {
    const [side] = summarize([
      storm('app', [1, 1, 1], { app: app(1, 50, 0), asteriskCpuMsPerJoin: 2 }),
      storm('app', [1], { app: app(5, -90, 1), asteriskCpuMsPerJoin: 6 }),
      storm('app', [1, 1, 1, 1], { app: app(0.5, 10, 2), asteriskCpuMsPerJoin: 1 }),
    ]);
    // (1*3 + 5*1 + 0.5*4) / 8 joins
    expect(side!.app).toMatchObject({ cpuMsPerJoin: 1.25, rssKbPerParticipant: 10, ariErrors: 3, waitedForFirstPin: 3 });
    // (2*3 + 6*1 + 1*4) / 8 joins
    expect(side!.asteriskCpuMsPerJoin).toBe(2);
  });

  it("pairs each side's storms with native's of the same round, and takes the median ratio", () => {
    // Native slows down in the second round, and the app with it: the pairs say 2x throughout.
    const sides = summarize([
      storm('native', [1, 2, 3]),
      storm('app', [2, 4, 6]),
      storm('native', [10, 20, 30]),
      storm('app', [20, 40, 60]),
      storm('native', [1, 0, 2]),
      storm('app', [3, 3, 3]),
    ]);
    const [native, app] = sides;
    expect(roundRatios(app!, native!)).toEqual({ perRound: [2, 2, 3], median: 2 });
  });

  it('counts a native p50 of 0 ms as 1 ms, and leaves out the rounds native did not run', () => {
    const sides = summarize([storm('native', [0, 0, 0]), storm('app', [4, 4, 4]), storm('app', [9, 9, 9])]);
    const [native, app] = sides;
    expect(roundRatios(app!, native!)).toEqual({ perRound: [4], median: 4 });
  });

  it('reads every side against native, and the app alone against its baseline build, size by size', () => {
    const sides = summarize([
      storm('native', [2, 2, 2]),
      storm('app', [4, 6, 8]),
      storm('app-baseline', [2, 3, 4]),
      storm('native', [2, 2, 2], { callers: 10 }),
      storm('app', [3, 3, 3], { callers: 10 }),
    ]);
    expect(ratiosTo(sides, 'native').map((r) => `${r.mode} ${r.callers} ${r.p50}`)).toEqual([
      'app 4 3',
      'app-baseline 4 1.5',
      'app 10 1.5',
    ]);
    // No baseline storm of 10 callers: no ratio for that size.
    const toBaseline = ratiosTo(sides, 'app-baseline', (mode) => mode === 'app');
    expect(toBaseline).toEqual([{ mode: 'app', callers: 4, rooms: 2, p50: 2, p99: 2, p50ByRound: { perRound: [2], median: 2 } }]);
    expect(ratioTable(toBaseline, 'app-baseline')).toContain('| app | 4 / 2 | 2 | 2 | 2 (2) |');
  });
});
