import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/**
 * How often the event-loop monitors (this one and the metrics') wake. At 10 ms each cost the idle
 * app 2 to 2.5 ms of CPU a second (docs/PERFORMANCE.md); at 100 ms a stall of tens of ms still shows.
 */
export const LOOP_MONITOR_MS = 100;

export interface RuntimeStats {
  readonly cpuMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** The heap's objects alone: heapUsedBytes less V8's compiled code, which grows as V8 optimizes, not with what the app holds. */
  readonly heapObjectsBytes: number;
  /**
   * V8's heap as resident, less what is in use: free pages V8 keeps for its next allocations.
   * It grows and shrinks by megabytes at a time with the pace of allocation (its young generation
   * up to 32 MB) and its own heuristics, not with what the app holds.
   */
  readonly heapFreeResidentBytes: number;
  /** Event-loop delay since the previous report (the histogram restarts at each report). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
}

/**
 * The process's own cost, for operators (`kill -USR2 <pid>` logs it) and `make bench`.
 * The event-loop monitor wakes every LOOP_MONITOR_MS for the process's whole life.
 */
export function runtimeStatsReporter(): () => RuntimeStats {
  const delay = monitorEventLoopDelay({ resolution: LOOP_MONITOR_MS });
  delay.enable();
  let forcedGcMs = 0;
  return () => {
    // Only when started with --expose-gc (the benchmark): memory after a full collection,
    // whose CPU is the report's, not the app's, and is left out of cpuMs.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      const before = cpuMs();
      gc();
      forcedGcMs += cpuMs() - before;
    }
    const memory = process.memoryUsage();
    const stats = {
      cpuMs: cpuMs() - forcedGcMs,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapObjectsBytes: heapObjects(),
      heapFreeResidentBytes: heapFreeResident(),
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: delay.max / 1e6,
    };
    delay.reset();
    return stats;
  };
}

function cpuMs(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

function heapObjects(): number {
  return getHeapSpaceStatistics()
    .filter((space) => !space.space_name.startsWith('code_'))
    .reduce((sum, space) => sum + space.space_used_size, 0);
}

function heapFreeResident(): number {
  const heap = getHeapStatistics();
  return heap.total_physical_size - heap.used_heap_size;
}
