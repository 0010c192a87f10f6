import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, Interface } from 'node:readline';
import { defaultSettingsFile, SettingsFile } from './settingsFile';
import { ROOT, withAriCredentials } from './testEnv';
import { waitUntil } from './waitUntil';

export interface LaunchOptions {
  readonly nodeArgs?: readonly string[];
  /** Run the build (dist/, `make build`) as production does, instead of the sources through ts-node. */
  readonly compiled?: boolean;
  /** Set over the test Asterisk's credentials: a wrong ARI_PASSWORD, an ARI_URL where nothing listens. */
  readonly env?: NodeJS.ProcessEnv;
  /** Run an unpacked release (`make dist`) from this folder, as its README says: `node dist/src/main.js` there. */
  readonly release?: string;
}

/** How a stop went: how long from the signal to the end of the process, and how it ended. */
export interface StopOutcome {
  readonly afterMs: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The conference app as its own process (src/main.ts), as `make run` starts it: the way to
 * test what only a real process can show, such as a SIGKILL in the middle of live rooms.
 */
export class AppProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  private child: ChildProcess | undefined;
  private logReader: Interface | undefined;

  private constructor(
    readonly settingsPath: string,
    private readonly launch: LaunchOptions,
  ) {}

  /** A settings file (with its own state file) that later starts of the app share. */
  static prepare(overrides: SettingsFile = {}, launch: LaunchOptions = {}): AppProcess {
    const dir = mkdtempSync(join(tmpdir(), 'conference-process-'));
    const path = join(dir, 'conference.json');
    writeFileSync(
      path,
      JSON.stringify({ ...defaultSettingsFile(), stateFile: join(dir, 'rooms.json'), api: { port: 0 }, ...overrides }, null, 2),
    );
    return new AppProcess(path, launch);
  }

  /** Another app on the same settings file (and so the same state file), started another way: an upgrade's new version. */
  withSameSettings(launch: LaunchOptions): AppProcess {
    return new AppProcess(this.settingsPath, launch);
  }

  /** Starts the app and resolves once it has connected to ARI and rebuilt its state. */
  async start(): Promise<void> {
    const from = this.logs.length;
    await this.startUntil('ari-connected', 30000);
    try {
      // Reconcile runs right after connecting; give it its round trips.
      await this.untilLogged('reconciled', 10000, from);
    } catch (error) {
      await this.kill('SIGKILL');
      throw error;
    }
  }

  /** Starts the app and resolves once it has logged `event` (an app that cannot reach ARI says why). */
  async startUntil(event: string, timeoutMs = 30000): Promise<Record<string, unknown>> {
    const from = this.logs.length;
    const { release } = this.launch;
    const entry = release
      ? ['dist/src/main.js']
      : this.launch.compiled
        ? [join(ROOT, 'dist', 'src', 'main.js')]
        : ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')];
    const child = spawn(process.execPath, [...(this.launch.nodeArgs ?? []), ...entry], {
      cwd: release ?? ROOT,
      env: { ...withAriCredentials({ CONFERENCE_CONFIG: this.settingsPath }), ...this.launch.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    this.logReader = createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.logs.push({ text: line });
      }
    });
    try {
      return await this.untilLogged(event, timeoutMs, from);
    } catch (error) {
      // A start that failed leaves no process behind (one left running would take the next run's calls).
      await this.kill('SIGKILL');
      throw error;
    }
  }

  /** The first line with this event logged since line `from`, once it comes. */
  async untilLogged(event: string, timeoutMs = 10000, from = 0): Promise<Record<string, unknown>> {
    const find = (): Record<string, unknown> | undefined => this.logs.slice(from).find((l) => l.event === event);
    await waitUntil(() => find() !== undefined, timeoutMs, `the app process to log ${event}`);
    return find()!;
  }

  /** The status API of the latest start (a restarted app listens on another port). */
  get apiUrl(): string {
    const listening = [...this.logs].reverse().find((l) => l.event === 'api-listening');
    if (!listening) throw new Error('the app process has not said where its status API listens');
    const host = String(listening.host);
    return `http://${host.includes(':') ? `[${host}]` : host}:${String(listening.port)}`;
  }

  /** The reader of the app's stdout stops reading: the pipe fills up and stays full. */
  stopReadingLog(): void {
    this.logReader?.pause();
  }

  /** Reads the app's stdout again, to its end (what the app wrote before it ended). */
  async readRestOfLog(): Promise<void> {
    const stdout = this.child?.stdout;
    if (!stdout || stdout.closed) return;
    const ended = new Promise((resolve) => stdout.once('close', resolve));
    this.logReader?.resume();
    await ended;
  }

  /** The reader of the app's stdout goes away: the app's next write there fails (EPIPE). */
  closeLogReader(): void {
    this.logReader?.close();
    this.child?.stdout?.destroy();
  }

  /**
   * Sends a stop signal as a supervisor would and measures how long the process takes to end.
   * One that is still there after `giveUpMs` is killed (SIGKILL), so a test that fails ends too.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', giveUpMs = 15000): Promise<StopOutcome> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error('the app process is not running');
    const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, endedBy) => resolve([code, endedBy])),
    );
    const sentAt = performance.now();
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), giveUpMs);
    const [code, endedBy] = await ended;
    const afterMs = performance.now() - sentAt;
    clearTimeout(killer);
    return { afterMs, code, signal: endedBy };
  }

  /** Resolves with the exit code once the process has ended by itself (an app that refused to start). */
  async ended(timeoutMs = 10000): Promise<number | null> {
    const child = this.child;
    if (!child) throw new Error('the app process was never started');
    await waitUntil(() => child.exitCode !== null || child.signalCode !== null, timeoutMs, 'the app process to end');
    return child.exitCode;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The app's own CPU, memory and event-loop figures (SIGUSR2 makes it log them). */
  async runtimeStats(): Promise<Record<string, number>> {
    const from = this.logs.length;
    this.child?.kill('SIGUSR2');
    await waitUntil(() => this.logs.slice(from).some((l) => l.event === 'runtime-stats'), 5000, 'runtime stats from the app process');
    return this.logs.slice(from).find((l) => l.event === 'runtime-stats') as Record<string, number>;
  }

  /**
   * The event loop's delay p99 since the previous call, from the app's Prometheus metrics (each
   * scrape restarts prom-client's histogram). Unlike runtimeStats(), nothing is collected: under
   * --expose-gc a full GC there drops V8's optimized code that holds objects which have died.
   */
  async eventLoopDelayP99Ms(): Promise<number> {
    const response = await fetch(`${this.apiUrl}/metrics`);
    const line = (await response.text()).split('\n').find((l) => l.startsWith('conference_process_nodejs_eventloop_lag_p99_seconds '));
    if (!line) throw new Error("no event-loop delay in the app's metrics");
    return Number(line.split(' ')[1]) * 1000;
  }

  /** Sends the process a signal (SIGHUP, SIGUSR1...), as an admin's `kill -HUP` would, and goes on. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Kills the process without warning (no clean-up of any kind), and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}
