/** The chart of `make bench-sip`: join latency, audio quality and cost against the callers of a run, app beside native. */
import { Machine } from '../machine';
import { Chart, Series } from './chart';
import { LIMITS, RunResult, Side } from './sipSummary';

const LABEL: Record<Side, string> = { app: 'app', 'app-baseline': 'app baseline', native: 'native ConfBridge', sketch: 'ARI sketch' };

function series(runs: readonly RunResult[], label: string, value: (r: RunResult) => number | undefined, dashed = false): Series[] {
  const sides = [...new Set(runs.map((r) => r.side))];
  return sides.map((side) => ({
    side,
    label: `${LABEL[side]}${label ? `, ${label}` : ''}`,
    points: runs
      .filter((r) => r.side === side)
      .sort((a, b) => a.callers - b.callers)
      .map((r) => ({ n: r.callers, value: value(r) })),
    ...(dashed ? { dashed } : {}),
  }));
}

/** "Asterisk 22.10.1+dfsg+~cs6... built by ..." as 22.10.1. */
const asteriskVersion = (banner: string): string => /Asterisk ([\d.]+)/.exec(banner)?.[1] ?? banner;

export function sipChart(runs: readonly RunResult[], machine: Machine): Chart {
  const rate = runs[0]?.callsPerSecond;
  return {
    title: 'make bench-sip: the app beside native ConfBridge',
    subtitle: `${rate} callers a second into rooms of 2-20; ${machine.cpus} cores (${machine.cpu}), Asterisk ${asteriskVersion(machine.asterisk)}, ${machine.date.slice(0, 10)}`,
    panels: [
      {
        title: "Join latency, from the PIN's # to the room",
        unit: 'ms',
        series: [...series(runs, 'p99', (r) => r.latencyMs.p99), ...series(runs, 'p50', (r) => r.latencyMs.p50, true)],
      },
      {
        title: 'Packet loss of the median caller while everyone is in',
        unit: '%',
        series: series(runs, '', (r) => r.quality.lossPct.median),
        threshold: { value: LIMITS.lossPct, label: `${LIMITS.lossPct} % loss` },
      },
      {
        title: 'Jitter of the median caller while everyone is in',
        unit: 'ms',
        series: series(runs, '', (r) => r.quality.jitterMs.median),
        threshold: { value: LIMITS.jitterMs, label: `${LIMITS.jitterMs} ms jitter` },
      },
      {
        title: 'CPU per participant-second while everyone is in (Asterisk, and the ARI process on top)',
        unit: 'ms',
        series: [
          ...series(runs, 'Asterisk', (r) => r.asterisk.cpuMsPerParticipantSecond),
          ...series(
            runs.filter((r) => r.app),
            'Asterisk + ARI process',
            (r) => r.asterisk.cpuMsPerParticipantSecond + (r.app?.cpuMsPerParticipantSecond ?? 0),
            true,
          ),
        ],
      },
    ],
  };
}
