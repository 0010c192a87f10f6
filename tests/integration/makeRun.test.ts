import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../harness/waitUntil';
import { collectLines } from '../helpers/jsonLines';
import { expectWrongPinRefused, joinRoom } from '../helpers/scenario';
import { callApi } from '../helpers/statusApi';
import { TestDriver } from '../../harness/testDriver';
import { ROOT, TEST_INSTANCE } from '../../harness/testEnv';

/**
 * `make run` as an admin starts it, against the running test Asterisk: its instance and ports
 * come from the environment, as for scripts/asterisk.sh (README). Its own process group, so
 * that the test stops make and the app it started, and nothing else.
 */
class MakeRun {
  /** Every line it printed: the app's JSON lines parsed, the others as { text }. */
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly child: ChildProcess;
  private readonly closed: Promise<void>;

  constructor(extraEnv: NodeJS.ProcessEnv) {
    // No ARI credentials, settings path or make state of this process: make run finds its own.
    const {
      ARI_URL: _u,
      ARI_USER: _n,
      ARI_PASSWORD: _p,
      CONFERENCE_CONFIG: _c,
      MAKEFLAGS: _f,
      MFLAGS: _m,
      MAKELEVEL: _l,
      ...env
    } = process.env;
    // -o node_modules: make run installs the npm packages when package.json is newer; here that
    // would replace the very packages the running test uses.
    this.child = spawn('make', ['--no-print-directory', '-o', 'node_modules', 'run'], {
      cwd: ROOT,
      env: { ...env, ...TEST_INSTANCE, ...extraEnv },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collectLines([this.child.stdout!, this.child.stderr!], this.lines);
    // Both pipes close once make and the app it started have both exited.
    this.closed = Promise.all([this.child.stdout!, this.child.stderr!].map((s) => new Promise((resolve) => s.once('close', resolve)))).then(
      () => undefined,
    );
  }

  /** make's own pid: the processes it started are found under it. */
  get pid(): number {
    return this.child.pid!;
  }

  all(event: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.event === event);
  }

  line(event: string): Record<string, unknown> | undefined {
    return this.all(event)[0];
  }

  /** The `nth` line (from 1) of that event, once printed. */
  async waitFor(event: string, timeoutMs: number, nth = 1): Promise<Record<string, unknown>> {
    await waitUntil(
      () => this.all(event).length >= nth,
      timeoutMs,
      () =>
        `make run to log ${event} (${nth}); it printed: ${this.lines.map((l) => (typeof l.text === 'string' ? l.text : JSON.stringify(l))).join(' | ')}`,
    );
    return this.all(event)[nth - 1]!;
  }

  /** SIGTERM to make and the app (its process group), as Ctrl-C would; resolves once both are gone. */
  async stop(): Promise<void> {
    try {
      process.kill(-this.child.pid!, 'SIGTERM');
    } catch {
      // gone already
    }
    await this.closed;
  }
}

/** The processes under `pid`, each with its command line, read from /proc (not by name: only ours). */
function descendants(pid: number): Array<{ pid: number; command: string }> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: Array<{ pid: number; command: string }> = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        // gone meanwhile
      }
      found.push({ pid: child, command });
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** The app that make run started: the one process under make that runs the script dist/src/main.js. */
function appPid(run: MakeRun): number {
  const apps = descendants(run.pid).filter((p) => p.command.split(' ')[1] === 'dist/src/main.js');
  if (apps.length !== 1) throw new Error(`expected one app under make run, found: ${JSON.stringify(descendants(run.pid))}`);
  return apps[0]!.pid;
}

/** README, "Settings": the file is config/conference.json, or the path in CONFERENCE_CONFIG; `make run` honours both. */
describe('make run', () => {
  let driver: TestDriver;
  let run: MakeRun | undefined;

  beforeAll(async () => {
    driver = await TestDriver.connect();
  });
  afterEach(async () => {
    await driver.hangupAll();
    await run?.stop();
    run = undefined;
  });
  afterAll(async () => {
    await driver.close();
  });

  it('takes its settings from the file CONFERENCE_CONFIG names: its server number reaches a room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conference-make-run-'));
    const path = join(dir, 'conference.json');
    writeFileSync(path, JSON.stringify({ number: '65', api: { port: 0 }, stateFile: join(dir, 'rooms.json') }));
    run = new MakeRun({ CONFERENCE_CONFIG: path });
    // make run builds first (tsc): minutes on a busy machine.
    expect(await run.waitFor('starting', 240000)).toMatchObject({ config: path });
    expect(await run.waitFor('dialplan-settings-stored', 30000)).toMatchObject({ number: '65' });
    expect(run.lines.some((l) => String(l.text).includes(`settings in ${path}`))).toBe(true);
    const caller = await joinRoom(driver, '65123');
    await caller.entersBridge('conference-123');
  }, 300000);

  it('without CONFERENCE_CONFIG, takes config/conference.json', async () => {
    run = new MakeRun({});
    expect(await run.waitFor('starting', 240000)).toMatchObject({ config: 'config/conference.json' });
    expect(run.lines.some((l) => String(l.text).includes('settings in config/conference.json'))).toBe(true);
  }, 300000);

  /** README, "make run": an app that dies is started again within 5 s, with its rooms; a stop signal ends both. */
  it('starts the app again within 5 s of a kill -9: the caller stays in the room, a newcomer with the PIN joins; SIGTERM ends all with no restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conference-make-run-'));
    const path = join(dir, 'conference.json');
    writeFileSync(path, JSON.stringify({ api: { port: 0 }, stateFile: join(dir, 'rooms.json') }));
    run = new MakeRun({ CONFERENCE_CONFIG: path });
    const current = run;
    const healthOk = async (nth: number, timeoutMs: number): Promise<void> => {
      const { port } = await current.waitFor('api-listening', timeoutMs, nth);
      await waitUntil(
        async () =>
          (await callApi({ apiUrl: `http://127.0.0.1:${String(port)}` }, 'GET', '/health', null).catch(() => undefined))?.json?.status ===
          'ok',
        timeoutMs,
        `/health ok (start ${nth})`,
      );
    };
    await run.waitFor('starting', 240000);
    await healthOk(1, 30000);
    const caller = await joinRoom(driver, '88555', { pin: '2468' });
    await caller.entersBridge('conference-555');

    const killed = appPid(run);
    process.kill(killed, 'SIGKILL');
    const killedAt = Date.now();
    const within5s = (): number => Math.max(0, killedAt + 5000 - Date.now());
    expect(await run.waitFor('app-restarting', within5s())).toMatchObject({ signal: 'SIGKILL' });
    await run.waitFor('starting', within5s(), 2);
    await healthOk(2, within5s());
    // The supervisor's line first, then the app's own start line.
    expect(run.lines.indexOf(run.line('app-restarting')!)).toBeLessThan(run.lines.indexOf(run.all('starting')[1]!));
    expect(appPid(run)).not.toBe(killed);

    // The room was kept: its caller is still in it, its PIN still lets in and keeps out.
    expect(await caller.bridge()).toBe('conference-555');
    const newcomer = await joinRoom(driver, '88555', { pin: '2468' });
    await newcomer.entersBridge('conference-555');
    await expectWrongPinRefused(driver, '88555', '1357');

    const restarted = appPid(run);
    const stopAt = Date.now();
    await run.stop();
    run = undefined;
    // The app's stop budget (3 s, README) and make's own exit.
    expect(Date.now() - stopAt).toBeLessThan(5000);
    expect(existsSync(`/proc/${restarted}`)).toBe(false);
    expect(current.all('stopped')).toHaveLength(1);
    expect(current.all('app-restarting')).toHaveLength(1);
  }, 300000);
});
