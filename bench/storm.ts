/**
 * One storm of one side: every caller dials, keys its room, keys its PIN but the final '#'; then
 * all callers key '#' at once, and each join's latency is read from Asterisk's own stamps, with
 * the CPU it cost Asterisk and the process that answers the side (the app or the sketch).
 */
import { AppProcess } from '../harness/appProcess';
import { Caller } from '../harness/caller';
import { waitUntil } from '../harness/waitUntil';
import { processCpuMs, threadsCpuMs } from './processCpu';
import { inDialplan, progress, StormDriver, Track } from './stormDriver';
import { AppFigures, Mode, percentiles, round, StormResult } from './stormSummary';

const PIN = '12';
/**
 * How long a step waits for its slowest caller. Well under the entry timeouts (60 s on both
 * sides): the callers who did key must not time out while stragglers are waited for.
 */
const STEP_WAIT_MS = 20000;

/** The side a storm runs on, and the processes whose CPU it counts. */
export interface StormTarget {
  readonly mode: Mode;
  readonly asteriskPid: number;
  /** The app under test (app, app-baseline): its CPU, memory, loop delay and log. */
  readonly app?: AppProcess;
  /** The sketch's process, while it runs: its CPU. */
  readonly sketchPid?: number;
}

/** What each caller keys for its room: 3-digit rooms need '#'; every tenth caller asks for a random room. */
function roomKeys(mode: Mode, index: number, rooms: number): string {
  if (index % 10 === 9) return inDialplan(mode) ? String(5000 + index) : '000#'; // native: a room of its own
  return `${200 + (index % rooms)}#`;
}

export async function storm(driver: StormDriver, target: StormTarget, callers: number, rooms: number): Promise<StormResult> {
  const { mode, app } = target;
  const logsBefore = app?.logs.length ?? 0;
  const before = app ? await app.runtimeStats() : undefined;
  try {
    const placed = await driver.place(mode, callers);
    progress(`${mode} ${callers}/${rooms}: ${callers} calls placed`);
    const list = await setUp(driver, target, placed, rooms);
    // The event-loop delay from here on (the scrape restarts it). Not from a runtimeStats()
    // report: its full GC right before the storm makes V8 drop the join path's optimized code
    // and compile it again in the storm, on the cores Asterisk needs (docs/PERFORMANCE.md).
    if (app) await app.eventLoopDelayP99Ms();
    // The storm starts on a quiet machine: the prompts stopped at the PIN's first key, and
    // their events, are the set-up's cost, not the storm's.
    await new Promise((resolve) => setTimeout(resolve, 500));
    progress('PINs keyed; the storm');
    const cpuAtStart = cpuOf(target);
    await driver.keyHashAtOnce(list);
    await waitUntil(() => list.every((c) => driver.track(c).enteredAt !== undefined), 60000, 'every caller in a bridge').catch(
      () => undefined,
    );
    const cpu = cpuOf(target);
    const stormDelayP99Ms = app ? await app.eventLoopDelayP99Ms() : undefined;
    const after = app ? await app.runtimeStats() : undefined;
    const result = stormResult(
      mode,
      callers,
      rooms,
      list.map((c) => driver.track(c)),
      cpu.asterisk - cpuAtStart.asterisk,
      cpuAtStart.sketch === undefined ? undefined : cpu.sketch! - cpuAtStart.sketch,
    );
    if (app && before && stormDelayP99Ms !== undefined && after) {
      result.app = appFigures(app, logsBefore, {
        before,
        after,
        cpuMs: cpu.app! - cpuAtStart.app!,
        stormDelayP99Ms,
        joined: result.joined,
      });
    }
    return result;
  } finally {
    await driver.endStorm();
  }
}

/**
 * The set-up: room keys, then the PIN but its final '#'. Each step waits for every caller (keys
 * sent while calls are still being set up can be lost under load), so the first callers wait at
 * each prompt: entry timeouts are 60 s on both sides. Resolves with the callers that made it.
 */
async function setUp(driver: StormDriver, target: StormTarget, placed: readonly Caller[], rooms: number): Promise<Caller[]> {
  let list = [...placed];
  // A step that does not complete within STEP_WAIT_MS names its stragglers (the first one's keys as
  // Asterisk reported them, and what the app logged of its call) and goes on without them: on
  // 2 cores, 400 callers' set-up sometimes loses a caller's key, on every side, the sketch too.
  const everyCaller = async (done: (t: Track) => boolean, what: string): Promise<void> => {
    await waitUntil(() => list.every((c) => done(driver.track(c))), STEP_WAIT_MS, what).catch(() => undefined);
    const stragglers = list.filter((c) => !done(driver.track(c)));
    if (stragglers.length === 0) return;
    const first = stragglers[0]!.appChannel;
    progress(
      `${stragglers.length} of ${placed.length} callers short of ${what}, left out of the storm; the first: ${first}, keys reported "${driver.track(stragglers[0]!).keys}"`,
    );
    for (const line of target.app?.logs.filter((l) => l.call === first) ?? []) progress(`  app: ${JSON.stringify(line)}`);
    list = list.filter((c) => done(driver.track(c)));
    // Hung up now: a room's first caller left waiting would hold the others' joins back.
    await Promise.all(stragglers.map((c) => c.hangup()));
  };
  await everyCaller((t) => t.roomPromptAt !== undefined, 'the room prompt');
  await Promise.all(list.map((c, i) => c.dtmf(roomKeys(target.mode, i, rooms), 60, 80)));
  progress('room keys sent');
  await everyCaller((t) => t.pinPromptAt !== undefined, 'the PIN prompt');
  await Promise.all(list.map((c) => c.dtmf(PIN, 60, 80)));
  await everyCaller((t) => t.digitsAfterPinPrompt >= PIN.length, 'every PIN digit keyed');
  return list;
}

/** CPU so far of Asterisk (in ticks) and of the side's own process (its threads' clocks). */
function cpuOf(target: StormTarget): { asterisk: number; sketch?: number; app?: number } {
  return {
    asterisk: processCpuMs(target.asteriskPid),
    ...(target.sketchPid === undefined ? {} : { sketch: threadsCpuMs(target.sketchPid) }),
    ...(target.app ? { app: threadsCpuMs(target.app.pid!) } : {}),
  };
}

function stormResult(
  mode: Mode,
  callers: number,
  rooms: number,
  tracks: readonly Track[],
  asteriskCpuMs: number,
  sketchCpuMs: number | undefined,
): StormResult {
  const latencies = tracks
    .filter((t) => t.enteredAt !== undefined && t.hashAt !== undefined)
    // Read() may act on the key's press while ChannelDtmfReceived is stamped at its release: 0, not negative.
    .map((t) => Math.max(0, t.enteredAt! - t.hashAt!))
    .sort((a, b) => a - b);
  const joined = latencies.length;
  return {
    mode,
    callers,
    rooms,
    joined,
    failed: tracks.length - joined,
    lost: callers - tracks.length,
    latenciesMs: latencies,
    latencyMs: percentiles(latencies),
    asteriskCpuMsPerJoin: round(asteriskCpuMs / Math.max(1, joined), 2),
    ...(sketchCpuMs === undefined ? {} : { sketchCpuMsPerJoin: round(sketchCpuMs / Math.max(1, joined), 2) }),
  };
}

interface AppMeasures {
  readonly before: Record<string, number>;
  readonly after: Record<string, number>;
  /** The app's CPU over the storm. */
  readonly cpuMs: number;
  readonly stormDelayP99Ms: number;
  readonly joined: number;
}

function appFigures(app: AppProcess, logsBefore: number, { before, after, cpuMs, stormDelayP99Ms, joined }: AppMeasures): AppFigures {
  const stormLogs = app.logs.slice(logsBefore);
  const perJoin = Math.max(1, joined);
  return {
    // The storm: from the final '#' keyed by all to the last join. The whole call: from the dial on.
    cpuMsPerJoin: round(cpuMs / perJoin, 3),
    cpuMsPerCall: round((after.cpuMs! - before.cpuMs!) / perJoin, 3),
    // V8's free resident heap is left out: megabytes at a time, with the pace of allocation.
    rssKbPerParticipant: round(
      (after.rssBytes! - before.rssBytes! - (after.heapFreeResidentBytes! - before.heapFreeResidentBytes!)) / 1024 / perJoin,
      1,
    ),
    rssWithFreeHeapKbPerParticipant: round((after.rssBytes! - before.rssBytes!) / 1024 / perJoin, 1),
    heapKbPerParticipant: round((after.heapUsedBytes! - before.heapUsedBytes!) / 1024 / perJoin, 1),
    eventLoopDelayP99Ms: round(stormDelayP99Ms, 1),
    ariErrors: stormLogs.filter((l) => l.event === 'ari-error').length,
    // Callers whose PIN was complete before their room's first caller had set it: the app
    // cannot check a PIN before it is set, so their join waits for that caller's '#'.
    waitedForFirstPin: stormLogs.filter((l) => l.event === 'waiting').length,
  };
}
