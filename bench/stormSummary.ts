/**
 * `make bench` runs each storm several times, the sides taking turns, and reads them together:
 * one storm of 10 or 100 callers moves by a factor of two from one run to the next on 2 cores
 * (docs/PERFORMANCE.md), so a ratio to native from one storm per side would be a coin toss.
 */

/** A side of the bench; app-baseline is the app built from BENCH_BASELINE's revision. */
export type Mode = 'app' | 'app-baseline' | 'native' | 'native-quiet' | 'sketch';

export interface AppFigures {
  cpuMsPerJoin: number;
  cpuMsPerCall: number;
  rssKbPerParticipant: number;
  rssWithFreeHeapKbPerParticipant: number;
  heapKbPerParticipant: number;
  eventLoopDelayP99Ms: number;
  ariErrors: number;
  waitedForFirstPin: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One storm of one side. */
export interface StormResult {
  mode: Mode;
  callers: number;
  rooms: number;
  joined: number;
  failed: number;
  /** Callers that did not reach the storm (a prompt or a key not reported in time): left out of it. */
  lost: number;
  /** Every join's latency, sorted (left out of the JSON). */
  latenciesMs: number[];
  latencyMs: Percentiles;
  /** Asterisk's CPU per join over the storm: all of native's cost, the Asterisk half of an ARI side's. */
  asteriskCpuMsPerJoin: number;
  /** The sketch process's CPU per join over the storm (the app's is app.cpuMsPerJoin). */
  sketchCpuMsPerJoin?: number;
  app?: AppFigures;
  /** A size run again after all the others: by then V8 has compiled the app's code for a join. */
  warm?: boolean;
}

/** The storms of one side at one size, read together. */
export interface SideSummary {
  mode: Mode;
  callers: number;
  rooms: number;
  warm?: boolean;
  storms: number;
  joined: number;
  failed: number;
  lost: number;
  /** Over every join of every storm. */
  latencyMs: Percentiles;
  /** Each storm's own p50, in the order run: the spread. */
  p50PerStormMs: number[];
  /** Per join, over all the storms (weighted by their joins). */
  asteriskCpuMsPerJoin: number;
  sketchCpuMsPerJoin?: number;
  /** CPU per join and per call over all the storms; memory and loop delay the storms' median; errors and waits summed. */
  app?: AppFigures;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function percentiles(sorted: readonly number[]): Percentiles {
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

/** A size as the tables name it: callers / rooms, and whether it ran again at the end. */
export function sizeLabel(r: { callers: number; rooms: number; warm?: boolean }): string {
  return `${r.callers} / ${r.rooms}${r.warm ? ' (warm)' : ''}`;
}

/** The storms grouped by side and size, in the order each group first ran. */
export function summarize(storms: readonly StormResult[]): SideSummary[] {
  const groups = new Map<string, StormResult[]>();
  for (const storm of storms) {
    const key = `${storm.mode} ${sizeLabel(storm)}`;
    groups.set(key, [...(groups.get(key) ?? []), storm]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const apps = group.map((s) => s.app).filter((a): a is AppFigures => a !== undefined);
    const sketches = group.filter((s) => s.sketchCpuMsPerJoin !== undefined);
    return {
      mode: first.mode,
      callers: first.callers,
      rooms: first.rooms,
      ...(first.warm ? { warm: true } : {}),
      storms: group.length,
      joined: sum(group.map((s) => s.joined)),
      failed: sum(group.map((s) => s.failed)),
      lost: sum(group.map((s) => s.lost)),
      latencyMs: percentiles(group.flatMap((s) => s.latenciesMs).sort((a, b) => a - b)),
      p50PerStormMs: group.map((s) => s.latencyMs.p50),
      asteriskCpuMsPerJoin: perJoin(group, (s) => s.asteriskCpuMsPerJoin),
      ...(sketches.length === 0 ? {} : { sketchCpuMsPerJoin: perJoin(sketches, (s) => s.sketchCpuMsPerJoin!) }),
      ...(apps.length === 0 ? {} : { app: appSummary(group, apps) }),
    };
  });
}

/** One side's p50 against native's, storm by storm, and the median of those ratios. */
export interface RoundRatios {
  perRound: number[];
  median: number;
}

/**
 * The k-th storm of each side ran in the same round, one after the other: a slow spell of the
 * machine, which moves a storm's p50 by a factor of two, weighs on both storms of a pair.
 * Native's p50 counts as at least 1 ms (Asterisk stamps events to the millisecond).
 */
export function roundRatios(side: SideSummary, native: SideSummary): RoundRatios {
  const perRound = side.p50PerStormMs
    .slice(0, native.p50PerStormMs.length)
    .map((p50, index) => round(p50 / Math.max(1, native.p50PerStormMs[index]!), 2));
  return { perRound, median: median(perRound) };
}

function appSummary(group: readonly StormResult[], apps: readonly AppFigures[]): AppFigures {
  const withApp = group.filter((s) => s.app);
  const middle = (value: (a: AppFigures) => number): number => median(apps.map(value));
  return {
    cpuMsPerJoin: perJoin(withApp, (s) => s.app!.cpuMsPerJoin),
    cpuMsPerCall: perJoin(withApp, (s) => s.app!.cpuMsPerCall),
    rssKbPerParticipant: middle((a) => a.rssKbPerParticipant),
    rssWithFreeHeapKbPerParticipant: middle((a) => a.rssWithFreeHeapKbPerParticipant),
    heapKbPerParticipant: middle((a) => a.heapKbPerParticipant),
    eventLoopDelayP99Ms: middle((a) => a.eventLoopDelayP99Ms),
    ariErrors: sum(apps.map((a) => a.ariErrors)),
    waitedForFirstPin: sum(apps.map((a) => a.waitedForFirstPin)),
  };
}

/** A per-join figure over several storms: each storm weighs as much as its joins. */
function perJoin(storms: readonly StormResult[], value: (s: StormResult) => number): number {
  return round(sum(storms.map((s) => value(s) * s.joined)) / Math.max(1, sum(storms.map((s) => s.joined))), 3);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The middle value (the lower of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Each side's latency against a reference side's at the same size: pooled over the storms, and round by round. */
export interface RatioTo {
  mode: Mode;
  callers: number;
  rooms: number;
  warm?: boolean;
  p50: number;
  p99: number;
  p50ByRound: RoundRatios;
}

/** The ratios of the `of` sides to the reference side `to`, size by size. */
export function ratiosTo(sides: readonly SideSummary[], to: Mode, of: (mode: Mode) => boolean = (mode) => mode !== to): RatioTo[] {
  return sides.flatMap((side) => {
    const reference = sides.find((r) => r.mode === to && sizeLabel(r) === sizeLabel(side));
    if (!of(side.mode) || !reference) return [];
    const { mode, callers, rooms, warm } = side;
    return [
      {
        mode,
        callers,
        rooms,
        ...(warm ? { warm } : {}),
        p50: round(side.latencyMs.p50 / reference.latencyMs.p50, 2),
        p99: round(side.latencyMs.p99 / reference.latencyMs.p99, 2),
        p50ByRound: roundRatios(side, reference),
      },
    ];
  });
}

export function sidesTable(sides: readonly SideSummary[]): string {
  const rows = [
    '| mode | callers / rooms | storms | p50 | p95 | p99 | max (ms) | p50 of each storm | joined | failed | lost before the storm | Asterisk CPU ms/join (storm) | app or sketch CPU ms/join (storm) | app CPU ms/call (whole flow) | app RSS KB/participant (with the free heap) | app heap KB/participant | app loop delay p99 | ARI errors | waited for the first PIN |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of sides) {
    const a = r.app;
    const latency = `${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.p50PerStormMs.join(', ')}`;
    const appCells = `${a?.cpuMsPerCall ?? ''} | ${a ? `${a.rssKbPerParticipant} (${a.rssWithFreeHeapKbPerParticipant})` : ''} | ${a?.heapKbPerParticipant ?? ''} | ${a ? `${a.eventLoopDelayP99Ms} ms` : ''} | ${a?.ariErrors ?? ''} | ${a?.waitedForFirstPin ?? ''}`;
    rows.push(
      `| ${r.mode} | ${sizeLabel(r)} | ${r.storms} | ${latency} | ${r.joined} | ${r.failed} | ${r.lost} | ${r.asteriskCpuMsPerJoin} | ${a?.cpuMsPerJoin ?? r.sketchCpuMsPerJoin ?? ''} | ${appCells} |`,
    );
  }
  return rows.join('\n');
}

/** The ratios as a table, headed by the reference side's name. */
export function ratioTable(ratios: readonly RatioTo[], to: Mode): string {
  const rows = [`| side | callers / rooms | p50 / ${to} | p99 / ${to} | p50 / ${to}, round by round (median) |`, '|---|---|---|---|---|'];
  for (const r of ratios)
    rows.push(`| ${r.mode} | ${sizeLabel(r)} | ${r.p50} | ${r.p99} | ${r.p50ByRound.perRound.join(', ')} (${r.p50ByRound.median}) |`);
  return rows.join('\n');
}
