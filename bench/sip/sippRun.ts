/**
 * One run of SIPp (Debian's sip-tester): the run's callers arrive at a steady rate, each follows
 * the scenario, and SIPp's own statistics say how many calls succeeded and failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arrival, callersCsv, callerScenario, ScenarioOptions } from './scenario';

export interface SippRunOptions {
  readonly asteriskSipPort: number;
  /** Where SIPp takes SIP on loopback, and the first of its callers' media ports (each call takes 4 from there). */
  readonly sipPort: number;
  readonly mediaPort: number;
  readonly user: string;
  readonly password: string;
  /** Each caller's media (bench/sip/callPcap.ts). */
  readonly pcap: Buffer;
  readonly holdMs: number;
  readonly onHold?: ScenarioOptions['onHold'];
  readonly callsPerSecond: number;
  readonly arrivals: readonly Arrival[];
}

/** SIPp's own account of a run. */
export interface SippOutcome {
  readonly successful: number;
  readonly failed: number;
  readonly exitCode: number | null;
  /** How often SIPp's own loop was over 500 ms late: the load generator short of CPU. */
  readonly overloads: number;
  /** Each kind of error SIPp reported, the first of its kind, with how many there were. */
  readonly errors: string[];
}

export class SippRun {
  private readonly exited: Promise<number | null>;
  /** What SIPp said on stderr: why it would not start, if it did not. */
  private stderr = '';

  private constructor(
    private readonly dir: string,
    private readonly child: ReturnType<typeof spawn>,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
  }

  /** Starts SIPp: the first caller arrives at once, then one every 1/callsPerSecond seconds. */
  static start(options: SippRunOptions): SippRun {
    const dir = mkdtempSync(join(tmpdir(), 'bench-sip-'));
    writeFileSync(join(dir, 'caller.pcap'), options.pcap);
    writeFileSync(join(dir, 'caller.xml'), callerScenario({ ...options, pcapPath: join(dir, 'caller.pcap') }));
    writeFileSync(join(dir, 'callers.csv'), callersCsv(options.arrivals));
    const calls = options.arrivals.length;
    // Every call's own wait is bounded: a call that hears nothing back fails instead of holding the run.
    const lastArrivalMs = ((calls - 1) * 1000) / options.callsPerSecond;
    const runLimitS = Math.ceil((lastArrivalMs + options.holdMs) / 1000) + 60;
    const args = [
      `127.0.0.1:${options.asteriskSipPort}`,
      ...['-sf', join(dir, 'caller.xml'), '-inf', join(dir, 'callers.csv')],
      // Its remote-control socket too on loopback (by default SIPp opens it on every interface).
      ...['-i', '127.0.0.1', '-p', String(options.sipPort), '-mi', '127.0.0.1', '-mp', String(options.mediaPort), '-ci', '127.0.0.1'],
      ...['-au', options.user, '-ap', options.password],
      ...['-r', String(options.callsPerSecond), '-m', String(calls), '-l', String(calls)],
      ...['-recv_timeout', '30000', '-timeout', `${runLimitS}s`, '-timeout_error'],
      ...['-nostdin', '-aa', '-trace_stat', '-stf', join(dir, 'stats.csv'), '-fd', '1'],
      ...['-trace_err', '-error_file', join(dir, 'errors.log')],
    ];
    // The callers stand for phones elsewhere: ahead of Asterisk and the app for the CPU, so that
    // the audio's timing as Asterisk receives it shows Asterisk's lateness, not the load generator's.
    const child = spawn('nice', ['-n', '-10', 'sipp', ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    return new SippRun(dir, child);
  }

  /** Waits for SIPp to place and end every call, then reads its statistics. */
  async finished(): Promise<SippOutcome> {
    const exitCode = await this.exited;
    try {
      const path = join(this.dir, 'errors.log');
      const { overloads, errors } = sippErrors(existsSync(path) ? readFileSync(path, 'latin1') : '');
      // SIPp's stderr says why it stopped, when it did not end on its own (else only what it read).
      if (exitCode !== 0 && exitCode !== 1 && this.stderr.trim()) errors.push(this.stderr.trim());
      return { ...finalCounts(join(this.dir, 'stats.csv')), exitCode, overloads, errors };
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Ends SIPp at once (the bench is stopping). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The cumulative counts of SIPp's statistics file (`-trace_stat`): its header, then a line per period. */
function finalCounts(path: string): { successful: number; failed: number } {
  if (!existsSync(path)) return { successful: 0, failed: 0 };
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.at(-1)?.split(';') ?? [];
  const count = (name: string): number => Number(last[header.indexOf(name)] ?? 0);
  return { successful: count('SuccessfulCall(C)'), failed: count('FailedCall(C)') };
}

/**
 * SIPp's error file, an entry per date stamp: its overload warnings counted (its own main loop
 * late by over 500 ms: the load generator starved of CPU), the other kinds of entry counted with
 * the first of each.
 */
export function sippErrors(text: string): { overloads: number; errors: string[] } {
  const stamp = /\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: /;
  const entries = text.split(new RegExp(`(?=${stamp.source})`)).map((entry) => entry.replace(new RegExp(`^${stamp.source}`), '').trim());
  const kinds = new Map<string, { first: string; count: number }>();
  let overloads = 0;
  for (const entry of entries) {
    if (entry === '' || entry.startsWith('The following events occurred')) continue;
    if (entry.startsWith('Overload warning')) {
      overloads++;
      continue;
    }
    // The kind: the entry without its call's identity and numbers.
    const kind = entry
      .split('\n')[0]!
      .replace(/Call-Id: \S+|Dead call \S+|\d+/g, '#')
      .slice(0, 120);
    const known = kinds.get(kind);
    if (known) known.count++;
    else kinds.set(kind, { first: entry.split('\n')[0]!.slice(0, 300), count: 1 });
  }
  return { overloads, errors: [...kinds.values()].map(({ first, count }) => (count > 1 ? `${count} x ${first}` : first)) };
}
