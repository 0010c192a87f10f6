/**
 * The figures of `make bench-sip`, from what one run recorded: who got in, how fast, how their
 * audio fared while everyone was in, and what it cost Asterisk and the app; and the capacity of
 * each side, the largest run whose median caller still had clean audio and in which everyone got in.
 */
import { percentiles, Percentiles, round } from '../stormSummary';
import { RtpSample, SipCall } from './callWatch';
import { SippOutcome } from './sippRun';

/**
 * app-baseline: the app as another git revision builds it (BENCH_SIP_BASELINE), for a change's
 * before and after; sketch: the floor of any ARI app (bench/ariSketch.ts).
 */
export type Side = 'app' | 'app-baseline' | 'native' | 'sketch';

/** Where audio is no longer clean for the median caller (docs/PERFORMANCE.md, "Capacity"). */
export const LIMITS = { lossPct: 1, jitterMs: 30 } as const;

export interface Spread {
  median: number;
  worst: number;
}

export interface RunResult {
  side: Side;
  callers: number;
  callsPerSecond: number;
  /** SIPp's count of calls it completed and of those that failed, its overload warnings, and its errors by kind. */
  sipp: { successful: number; failed: number; overloads: number; errors: string[] };
  /** Callers who entered a room. */
  joined: number;
  /** From the PIN's '#' to entering the room, Asterisk's stamps. */
  latencyMs: Percentiles;
  /**
   * App callers whose PIN was complete before their room's first caller had set it: the app cannot
   * check a PIN before then, so their join waits for that caller's '#' (native ConfBridge has no
   * such wait). The latency of the others beside it.
   */
  waitedForFirstPin?: { callers: number; othersLatencyMs: Percentiles };
  /** Per caller in a room over the sampling window: Asterisk's RTP statistics of its audio. */
  quality: { calls: number; lossPct: Spread; jitterMs: Spread };
  asterisk: { cpuMsPerParticipantSecond: number; cpuMsPerCaller: number };
  /**
   * The ARI process's figures (the app's, or the sketch's). cpuMsPerEntry: its CPU from the first
   * call to the sampling window (every caller in), per caller in: a whole way in (answer, prompts,
   * keys, join, announcement), not the join alone, which `make bench`'s storm measures.
   * heapKbPerParticipant: the app's only (the sketch reports no memory).
   */
  app?: { cpuMsPerEntry: number; cpuMsPerParticipantSecond: number; cpuMsPerCaller: number; heapKbPerParticipant?: number };
  /** Why the run is past the side's capacity; absent when it is within. */
  degraded?: string;
}

interface CpuReading {
  asterisk: number;
  app: number;
}

export interface RunRecord {
  plan: { side: Side; callers: number; callsPerSecond: number };
  sipp: SippOutcome;
  calls: readonly SipCall[];
  /** RTP statistics of the callers in a room, sampled at the window's start, middle and end. */
  samples: ReadonlyArray<ReadonlyMap<string, RtpSample>>;
  window: { start: number; end: number };
  cpu: { start: CpuReading; window: CpuReading; windowEnd: CpuReading; end: CpuReading };
  /** The side's calls went to an ARI process (the app or the sketch), whose threads' CPU `cpu.*.app` reads. */
  ariProcess: boolean;
  /** The app's heap after a full collection, with every caller in and after they all left. */
  heapBytes?: { withCallers: number; without: number };
  /** The app's calls that waited for their room's first PIN (its `waiting` log lines). */
  waitedForFirstPin?: ReadonlySet<string>;
}

const median = (sorted: readonly number[]): number => (sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!);
const spread = (values: number[]): Spread => {
  const sorted = values.sort((a, b) => a - b);
  return { median: round(median(sorted), 2), worst: round(sorted.at(-1) ?? NaN, 2) };
};

/** Each caller's loss over the window (from the first sample to the last) and its worst jitter in any sample. */
export function audioQuality(samples: RunRecord['samples']): RunResult['quality'] {
  const first = samples[0];
  const last = samples.at(-1);
  const loss: number[] = [];
  const jitter: number[] = [];
  for (const [id, end] of last ?? []) {
    const begin = first?.get(id);
    if (!begin || begin === end) continue;
    const received = end.received - begin.received;
    const lost = end.lost - begin.lost;
    loss.push(received + lost > 0 ? (100 * Math.max(0, lost)) / (received + lost) : 100);
    jitter.push(1000 * Math.max(...samples.map((s) => s.get(id)?.jitterS ?? 0)));
  }
  return { calls: loss.length, lossPct: spread(loss), jitterMs: spread(jitter) };
}

/** The seconds callers spent in a room within the window, summed. */
export function participantSeconds(calls: readonly SipCall[], window: { start: number; end: number }): number {
  let ms = 0;
  for (const call of calls) {
    if (call.enteredAt === undefined) continue;
    const from = Math.max(call.enteredAt, window.start);
    const to = Math.min(call.leftAt ?? call.endedAt ?? window.end, window.end);
    if (to > from) ms += to - from;
  }
  return ms / 1000;
}

/**
 * Each join's latency, sorted. A caller whose '#' Asterisk did not report has none; Read() may act
 * on the key's start while ChannelDtmfReceived is stamped at its end (up to a key's length later):
 * such a join counts 0, not negative.
 */
export function joinLatencies(calls: readonly SipCall[]): number[] {
  return calls
    .filter((c) => c.enteredAt !== undefined && c.hashAt !== undefined && c.hashAt <= c.enteredAt + KEY_MS)
    .map((c) => Math.max(0, c.enteredAt! - c.hashAt!))
    .sort((a, b) => a - b);
}

/** How long the bench's callers hold a key (bench/sip/callPcap.ts's default). */
const KEY_MS = 100;

export function runResult(record: RunRecord): RunResult {
  const { plan, sipp, calls, samples, window, cpu } = record;
  const joined = calls.filter((c) => c.enteredAt !== undefined).length;
  const latencies = joinLatencies(calls);
  const waited = record.waitedForFirstPin;
  const seconds = participantSeconds(calls, window);
  const quality = audioQuality(samples);
  const inRoomAtEnd = samples.at(-1)?.size ?? 0;
  const perSecond = (from: number, to: number): number => round((to - from) / Math.max(seconds, 1e-9), 3);
  const result: RunResult = {
    side: plan.side,
    callers: plan.callers,
    callsPerSecond: plan.callsPerSecond,
    sipp: { successful: sipp.successful, failed: sipp.failed, overloads: sipp.overloads, errors: sipp.errors },
    joined,
    latencyMs: percentiles(latencies),
    ...(waited
      ? {
          waitedForFirstPin: {
            callers: calls.filter((c) => waited.has(c.id)).length,
            othersLatencyMs: percentiles(joinLatencies(calls.filter((c) => !waited.has(c.id)))),
          },
        }
      : {}),
    quality,
    asterisk: {
      cpuMsPerParticipantSecond: perSecond(cpu.window.asterisk, cpu.windowEnd.asterisk),
      cpuMsPerCaller: round((cpu.end.asterisk - cpu.start.asterisk) / plan.callers, 1),
    },
    ...(record.ariProcess
      ? {
          app: {
            cpuMsPerEntry: round((cpu.window.app - cpu.start.app) / Math.max(joined, 1), 3),
            cpuMsPerParticipantSecond: perSecond(cpu.window.app, cpu.windowEnd.app),
            cpuMsPerCaller: round((cpu.end.app - cpu.start.app) / plan.callers, 2),
            ...(record.heapBytes
              ? {
                  heapKbPerParticipant: round(
                    (record.heapBytes.withCallers - record.heapBytes.without) / 1024 / Math.max(inRoomAtEnd, 1),
                    1,
                  ),
                }
              : {}),
          },
        }
      : {}),
  };
  const why = degradedBy(result);
  return why ? { ...result, degraded: why } : result;
}

/** Why a run is past capacity: a caller who did not get in, or unclean audio for the median caller. */
export function degradedBy(run: Pick<RunResult, 'callers' | 'joined' | 'quality'>): string | undefined {
  if (run.joined < run.callers) return `${run.callers - run.joined} of ${run.callers} callers not in a room`;
  if (!(run.quality.lossPct.median <= LIMITS.lossPct)) return `median loss ${run.quality.lossPct.median} % over ${LIMITS.lossPct} %`;
  if (!(run.quality.jitterMs.median <= LIMITS.jitterMs))
    return `median jitter ${run.quality.jitterMs.median} ms over ${LIMITS.jitterMs} ms`;
  return undefined;
}

/** A side's capacity: its largest run below the first degraded one; `reached` false when none degraded. */
export function capacity(runs: readonly RunResult[], side: Side): { participants: number; reached: boolean } {
  const own = runs.filter((r) => r.side === side).sort((a, b) => a.callers - b.callers);
  let participants = 0;
  for (const run of own) {
    if (run.degraded) return { participants, reached: true };
    participants = Math.max(participants, run.callers);
  }
  return { participants, reached: false };
}

export const cell = (value: number | undefined, unit = ''): string => (value === undefined || Number.isNaN(value) ? '' : `${value}${unit}`);

/** The runs as a Markdown table, by size, the sides of a size together. */
export function runsTable(runs: readonly RunResult[]): string {
  const header = [
    'side',
    'callers',
    'got in',
    'join p50',
    'p95',
    'p99',
    'max (ms)',
    'waited for the first PIN: callers, p99 of the others (ms)',
    'loss median / worst (%)',
    'jitter median / worst (ms)',
    'Asterisk CPU ms per participant-second',
    'CPU ms per caller (Asterisk + app or sketch)',
    'app (sketch) CPU ms per caller getting in (dial to room)',
    'app (sketch) CPU ms per participant-second',
    'app heap KB per participant',
    'past capacity',
  ];
  const rows = [...runs]
    .sort((a, b) => a.callers - b.callers || a.side.localeCompare(b.side))
    .map((r) => [
      r.side,
      String(r.callers),
      `${r.joined} (${round((100 * r.joined) / r.callers, 1)} %)`,
      cell(r.latencyMs.p50),
      cell(r.latencyMs.p95),
      cell(r.latencyMs.p99),
      cell(r.latencyMs.max),
      r.waitedForFirstPin ? `${r.waitedForFirstPin.callers}, ${cell(r.waitedForFirstPin.othersLatencyMs.p99)}` : '',
      `${cell(r.quality.lossPct.median)} / ${cell(r.quality.lossPct.worst)}`,
      `${cell(r.quality.jitterMs.median)} / ${cell(r.quality.jitterMs.worst)}`,
      cell(r.asterisk.cpuMsPerParticipantSecond),
      r.app
        ? `${round(r.asterisk.cpuMsPerCaller + r.app.cpuMsPerCaller, 1)} (${r.asterisk.cpuMsPerCaller} + ${r.app.cpuMsPerCaller})`
        : cell(r.asterisk.cpuMsPerCaller),
      cell(r.app?.cpuMsPerEntry),
      cell(r.app?.cpuMsPerParticipantSecond),
      cell(r.app?.heapKbPerParticipant),
      r.degraded ?? '',
    ]);
  return markdownTable(header, rows);
}

/** What the app's runs cost against its baseline's at the same size: the change's before and after, in one run. */
export function baselineTable(runs: readonly RunResult[]): string {
  const header = [
    'callers',
    'join p99, app / baseline (ms)',
    'CPU ms per caller, Asterisk + app: app / baseline',
    'app CPU ms per caller getting in: app / baseline',
    'app heap KB per participant: app / baseline',
  ];
  const rows: string[][] = [];
  for (const app of runs.filter((r) => r.side === 'app').sort((a, b) => a.callers - b.callers)) {
    const base = runs.find((r) => r.side === 'app-baseline' && r.callers === app.callers);
    if (!base) continue;
    const whole = (r: RunResult): number => round(r.asterisk.cpuMsPerCaller + (r.app?.cpuMsPerCaller ?? 0), 1);
    const pair = (a: number | undefined, b: number | undefined): string =>
      `${cell(a)} / ${cell(b)}${a !== undefined && b !== undefined && b > 0 ? ` (${round(a / b, 2)})` : ''}`;
    rows.push([
      String(app.callers),
      pair(app.latencyMs.p99, base.latencyMs.p99),
      pair(whole(app), whole(base)),
      pair(app.app?.cpuMsPerEntry, base.app?.cpuMsPerEntry),
      pair(app.app?.heapKbPerParticipant, base.app?.heapKbPerParticipant),
    ]);
  }
  return markdownTable(header, rows);
}

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}
