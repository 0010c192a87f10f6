/**
 * One run of `make bench-sip` on one side: N callers arrive over SIPp at a steady rate into rooms
 * of 2 to 20, key their PIN, and stay until every one of them is in; then the audio of all of them
 * is sampled for a while, and they hang up. What it measured is read from Asterisk's own stamps
 * and statistics, SIPp's counts and the processes' CPU clocks.
 */
import { AppProcess } from '../../harness/appProcess';
import { TestDriver } from '../../harness/testDriver';
import { waitUntil } from '../../harness/waitUntil';
import { processCpuMs, threadsCpuMs } from '../processCpu';
import { progress } from '../stormDriver';
import { callerPcap } from './callPcap';
import { CallWatch, RtpSample, SipCall } from './callWatch';
import { arrivals } from './scenario';
import { SippRun } from './sippRun';
import { RunResult, runResult, Side } from './sipSummary';

/** The PIN every caller keys (a room's first caller sets it), and when, after the answer. */
const PIN_KEYS = '1234#';
const PIN_AT_MS = 1500;
/** From the last arrival until every caller is in: its PIN, then its join. */
const SETTLE_MS = 6000;
/** How long the audio of all callers together is sampled: three of Asterisk's 5-second RTCP reports. */
export const SAMPLE_WINDOW_MS = 15000;
/** From the end of the sampling to the first caller's hangup. */
const MARGIN_MS = 4000;

/** SIPp's SIP port and its callers' first media port: beside the bench's Asterisk (45060, RTP 40000-43999). */
const SIPP_PORTS = { sipPort: 45070, mediaPort: 50000 };

/** Where each side's callers go: the app's number, or the native baseline's or the sketch's (asterisk-conf/extensions.conf). */
export const SIDE_PREFIX: Record<Side, string> = { app: '88', 'app-baseline': '88', native: '77', sketch: '66' };

export interface RunContext {
  readonly driver: TestDriver;
  readonly asteriskPid: number;
  readonly asteriskSipPort: number;
  readonly user: string;
  readonly password: string;
}

export interface RunPlan {
  readonly side: Side;
  readonly callers: number;
  readonly callsPerSecond: number;
  readonly seed: number;
}

/** The process that answers a side's calls over ARI: its pid (its CPU), and for the app the app itself (its log and memory). */
export interface AriSide {
  readonly pid: number;
  readonly app?: AppProcess;
}

export const sleepUntil = (at: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** The sampling window from `start`: three RTP samples (start, middle, end) and the CPU read at both ends. */
export async function sampleWindow<Cpu>(
  watch: CallWatch,
  start: number,
  readCpu: () => Cpu,
): Promise<{ samples: Array<Map<string, RtpSample>>; window: { start: number; end: number }; cpu: { start: Cpu; end: Cpu } }> {
  await sleepUntil(start);
  const cpuAtStart = readCpu();
  const samples = [await watch.sampleRtp()];
  await sleepUntil(start + SAMPLE_WINDOW_MS / 2);
  samples.push(await watch.sampleRtp());
  await sleepUntil(start + SAMPLE_WINDOW_MS);
  samples.push(await watch.sampleRtp());
  const end = Date.now();
  return { samples, window: { start, end }, cpu: { start: cpuAtStart, end: readCpu() } };
}

/** One run of a side; `ari` is the process that answers its calls (none for native). */
export async function sipRun(context: RunContext, plan: RunPlan, ari: AriSide | undefined): Promise<RunResult> {
  const { driver } = context;
  const { side, callers, callsPerSecond } = plan;
  const lastArrivalMs = ((callers - 1) * 1000) / callsPerSecond;
  // In whole 20 ms packets: the caller's audio lasts the hold.
  const holdMs = Math.ceil((lastArrivalMs + SETTLE_MS + SAMPLE_WINDOW_MS + MARGIN_MS) / 20) * 20;
  const app = ari?.app;
  const appCpu = (): number => (ari ? threadsCpuMs(ari.pid) : 0);
  const watch = new CallWatch(driver);
  const logsBefore = app?.logs.length ?? 0;
  const cpuAtStart = { asterisk: processCpuMs(context.asteriskPid), app: appCpu() };
  const start = Date.now();
  const sipp = SippRun.start({
    asteriskSipPort: context.asteriskSipPort,
    ...SIPP_PORTS,
    user: context.user,
    password: context.password,
    pcap: callerPcap({ durationMs: holdMs + 2000, digits: PIN_KEYS, digitsAtMs: PIN_AT_MS }),
    holdMs,
    callsPerSecond,
    arrivals: arrivals(callers, SIDE_PREFIX[side], plan.seed),
  });
  const label = `${side} ${callers} at ${callsPerSecond}/s`;
  const ticker = setInterval(() => {
    const { arrived, joined, ended } = watch.counts();
    progress(`${label}: ${arrived} called, ${joined} in a room, ${ended} ended`);
  }, 3000);
  try {
    // Every caller in, sampled over the window, while no one has left yet.
    const { samples, window, cpu } = await sampleWindow(watch, start + lastArrivalMs + SETTLE_MS, () => ({
      asterisk: processCpuMs(context.asteriskPid),
      app: appCpu(),
    }));
    // Memory after a full collection, with every participant in (the collection's CPU is after the window's).
    const heapWithCallers = app ? (await app.runtimeStats()).heapObjectsBytes! : 0;
    progress(`${label}: sampled ${samples.at(-1)!.size} callers' audio; waiting for the hangups`);
    const sippOutcome = await sipp.finished();
    await waitUntil(() => watch.all().every((c: SipCall) => c.endedAt !== undefined), 60000, 'every call to end').catch(() =>
      progress(`${label}: ${watch.all().filter((c) => c.endedAt === undefined).length} call(s) still up after SIPp ended`),
    );
    const cpuAtEnd = { asterisk: processCpuMs(context.asteriskPid), app: appCpu() };
    tellMissing(label, watch.all(), app);
    const heapWithout = app ? (await app.runtimeStats()).heapObjectsBytes! : 0;
    return runResult({
      plan,
      sipp: sippOutcome,
      calls: watch.all(),
      samples,
      window,
      cpu: { start: cpuAtStart, window: cpu.start, windowEnd: cpu.end, end: cpuAtEnd },
      ariProcess: ari !== undefined,
      ...(app
        ? {
            heapBytes: { withCallers: heapWithCallers, without: heapWithout },
            waitedForFirstPin: new Set(
              app.logs
                .slice(logsBefore)
                .filter((l) => l.event === 'waiting')
                .map((l) => String(l.call)),
            ),
          }
        : {}),
    });
  } catch (error) {
    await sipp.kill();
    throw error;
  } finally {
    clearInterval(ticker);
    watch.stop();
  }
}

/** Names the callers who did not get in, with what Asterisk reported of them and what the app logged of their call. */
function tellMissing(label: string, calls: readonly SipCall[], app: AppProcess | undefined): void {
  const missing = calls.filter((c) => c.enteredAt === undefined);
  for (const call of missing.slice(0, 5)) {
    const keyed = `keys "${call.keys}"${call.hashAt === undefined ? '' : `, the first '#' at +${call.hashAt - call.createdAt} ms`}`;
    progress(
      `${label}: ${call.id} not in a room: ${keyed}, ended ${call.endedAt === undefined ? 'never' : `at +${call.endedAt - call.createdAt} ms`}`,
    );
    for (const line of app?.logs.filter((l) => l.call === call.id) ?? []) progress(`  app: ${JSON.stringify(line)}`);
  }
}
