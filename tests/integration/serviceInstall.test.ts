import { ChildProcess, execFileSync, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../harness/waitUntil';
import { collectLines, jsonLinesOf } from '../helpers/jsonLines';
import { makeDist, unpack } from '../helpers/release';
import { joinRoom } from '../helpers/scenario';
import { TestDriver } from '../../harness/testDriver';
import { asteriskEnv, ROOT } from '../../harness/testEnv';

const USER = 'conference';
const UNIT_PATH = '/etc/systemd/system/conference-server.service';
const EVENTS_LOG = '/var/log/conference-server/events.jsonl';

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', env: options.env ?? process.env });
}

function userExists(name: string): boolean {
  return run('getent', ['passwd', name]).status === 0;
}

function ownerAndMode(path: string): string {
  return execFileSync('stat', ['-c', '%U:%G %a', path], { encoding: 'utf8' }).trim();
}

/** A unit file's directives: each name with its values, in order (Environment= may come more than once). */
function unitDirectives(text: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) directives.set(match[1]!, [...(directives.get(match[1]!) ?? []), match[2]!]);
  }
  return directives;
}

/** KEY=value lines, as systemd reads an EnvironmentFile (comments and blank lines skipped). */
function environmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/**
 * The app as the installed unit starts it, with the unit's paths under the staging root: its
 * ExecStart, WorkingDirectory, Environment= then the EnvironmentFile's lines (which win), only
 * the PATH systemd gives, as the unit's User and Group (setpriv; systemd is not PID 1 here).
 */
class ServiceProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(root: string) {
    const unit = unitDirectives(readFileSync(join(root, UNIT_PATH), 'utf8'));
    const one = (name: string): string => {
      const values = unit.get(name);
      if (values?.length !== 1) throw new Error(`the unit should set ${name}= once, it has ${JSON.stringify(values)}`);
      return values[0]!;
    };
    const underRoot = (value: string): string => (value.startsWith('/') ? join(root, value) : value);
    const env: NodeJS.ProcessEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin' };
    for (const assignment of unit.get('Environment') ?? []) {
      const [key, ...value] = assignment.split('=');
      env[key!] = underRoot(value.join('='));
    }
    for (const [key, value] of Object.entries(environmentFile(readFileSync(join(root, one('EnvironmentFile')), 'utf8'))))
      env[key] = underRoot(value);
    const [node, script, ...args] = one('ExecStart').split(' ');
    this.child = spawn(
      'setpriv',
      ['--reuid', one('User'), '--regid', one('Group'), '--init-groups', '--', node!, underRoot(script!), ...args],
      {
        cwd: join(root, one('WorkingDirectory')),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    collectLines([this.child.stdout!, this.child.stderr!], this.logs);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async logged(event: string, timeoutMs = 30000, from = 0): Promise<Record<string, unknown>> {
    const find = (): Record<string, unknown> | undefined => this.logs.slice(from).find((l) => l.event === event);
    await waitUntil(
      () => find() !== undefined,
      timeoutMs,
      () => `the service to log ${event}; it logged: ${this.logs.map((l) => l.event ?? l.text).join(', ')}`,
    );
    return find()!;
  }

  /** systemctl stop: the unit's KillSignal, then SIGKILL once its TimeoutStopSec is over. */
  async stop(root: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const unit = unitDirectives(readFileSync(join(root, UNIT_PATH), 'utf8'));
    this.child.kill(unit.get('KillSignal')![0] as NodeJS.Signals);
    const killer = setTimeout(() => this.child.kill('SIGKILL'), Number(unit.get('TimeoutStopSec')![0]) * 1000);
    const outcome = await this.exited;
    clearTimeout(killer);
    return outcome;
  }
}

/** docs/OPERATIONS.md, "Install": install/install.sh puts the service in place and prints what it did. */
describe('the systemd service install (install/install.sh --root)', () => {
  const root = mkdtempSync(join(tmpdir(), 'conference-service-root-'));
  /** Folders a test makes beside the root; removed at the end, whatever the outcome. */
  const scratch: string[] = [];
  const scratchFolder = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };
  const userWasThere = userExists(USER);
  let driver: TestDriver;
  let service: ServiceProcess | undefined;
  let firstRun: SpawnSyncReturns<string>;
  /** The install script of the release, unpacked, as an admin runs it (docs/OPERATIONS.md, "Install"). */
  let INSTALL: string;

  beforeAll(async () => {
    if (userInfo().uid !== 0) throw new Error('these tests run as root, as the install does (CI runs as root)');
    execFileSync(join(ROOT, 'scripts', 'apt-ensure.sh'), ['logrotate', 'systemd-analyze:systemd'], { stdio: 'inherit' });
    // What is installed is the release, as `make install` builds and unpacks it first.
    const releases = scratchFolder('conference-release-');
    // Readable by all, as an unpacked release is: the not-root check runs its script as nobody.
    chmodSync(releases, 0o755);
    INSTALL = join(unpack(makeDist(), releases), 'install', 'install.sh');
    // The service user walks into the staging root as it would into /.
    chmodSync(root, 0o755);
    firstRun = run(INSTALL, ['--root', root]);
    driver = await TestDriver.connect();
  }, 240000);
  afterAll(async () => {
    // A test that failed midway leaves its app running: gone before its user is.
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await driver?.close();
    for (const dir of [root, ...scratch]) rmSync(dir, { recursive: true, force: true });
    if (!userWasThere && userExists(USER)) execFileSync('userdel', [USER]);
  });

  it('installs the version folder, the current symlink, settings, secrets, the unit and the logrotate snippet, and says so', () => {
    expect(firstRun.stderr).toBe('');
    expect(firstRun.status).toBe(0);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const out = firstRun.stdout;
    expect(out).toContain(`install: installed conference-server ${version} in ${root}/opt/conference-server/${version}`);
    expect(out).toContain(`install: pointed ${root}/opt/conference-server/current at ${version}`);
    expect(out).toContain(`install: created ${root}/etc/conference-server/env (mode 640 root:conference)`);
    expect(out).toContain(`install: ACTION NEEDED: set ARI_PASSWORD in ${root}/etc/conference-server/env`);
    expect(out).toContain(`install: installed ${root}${UNIT_PATH}`);
    expect(out).toContain(`install: installed ${root}/etc/logrotate.d/conference-server`);
    expect(out).toContain(
      'install: systemctl not run (--root): on the target system, run: systemctl daemon-reload && systemctl enable --now conference-server',
    );
    expect(out.trim().split('\n').at(-1)).toBe(`install: done: conference-server ${version} installed`);
    expect(userExists(USER)).toBe(true);

    expect(execFileSync('readlink', [join(root, 'opt/conference-server/current')], { encoding: 'utf8' }).trim()).toBe(version);
    for (const part of [
      'bin/conference.js',
      'dist/src/main.js',
      'package.json',
      'node_modules/ws/package.json',
      'config/conference.json',
      'install/install.sh',
    ]) {
      expect(existsSync(join(root, 'opt/conference-server/current', part))).toBe(true);
    }
    expect(ownerAndMode(join(root, 'etc/conference-server/env'))).toBe('root:conference 640');
    expect(ownerAndMode(join(root, 'etc/conference-server/conference.json'))).toBe('root:conference 640');
    expect(ownerAndMode(join(root, 'var/lib/conference-server'))).toBe('conference:conference 750');
    expect(ownerAndMode(join(root, 'var/log/conference-server'))).toBe('conference:conference 750');
    // No default password: the admin sets it.
    expect(environmentFile(readFileSync(join(root, 'etc/conference-server/env'), 'utf8')).ARI_PASSWORD).toBe('');
    const settings = JSON.parse(readFileSync(join(root, 'etc/conference-server/conference.json'), 'utf8')) as {
      eventsLog: { path: string };
    };
    expect(settings.eventsLog.path).toBe(EVENTS_LOG);
    // The events log the settings name is the one the logrotate snippet rotates, in the unit's LogsDirectory.
    expect(readFileSync(join(root, 'etc/logrotate.d/conference-server'), 'utf8')).toContain(`${EVENTS_LOG} {`);
    expect(unitDirectives(readFileSync(join(root, UNIT_PATH), 'utf8')).get('LogsDirectory')).toEqual(['conference-server']);
  });

  it('installs a unit that systemd-analyze verify passes without a warning', () => {
    const verify = run('systemd-analyze', ['verify', join(root, UNIT_PATH)]);
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });

  it('runs as the unit runs it: a call joins a room, the events log and state file are written as the service user, and SIGTERM stops it clean', async () => {
    // What the admin does after the install: the ARI password (and here the test Asterisk's
    // address) in the env file; a free status API port and the events log under the staging root.
    const ari = asteriskEnv();
    const envPath = join(root, 'etc/conference-server/env');
    writeFileSync(
      envPath,
      readFileSync(envPath, 'utf8')
        .replace(/^ARI_URL=.*$/m, `ARI_URL=${ari.ARI_URL}`)
        .replace(/^ARI_USER=.*$/m, `ARI_USER=${ari.ARI_USER}`)
        .replace(/^ARI_PASSWORD=.*$/m, `ARI_PASSWORD=${ari.ARI_PASSWORD}`),
    );
    const settingsPath = join(root, 'etc/conference-server/conference.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath, JSON.stringify({ ...settings, api: { port: 0 }, eventsLog: { path: join(root, EVENTS_LOG) } }, null, 2));

    service = new ServiceProcess(root);
    await service.logged('ari-connected');
    await service.logged('reconciled', 10000);
    const listening = await service.logged('api-listening');
    const health = await fetch(`http://127.0.0.1:${String(listening.port)}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', ariConnected: true });

    const caller = await joinRoom(driver, '88123', { pin: '4321' });
    await caller.entersBridge('conference-123');
    const eventsPath = join(root, EVENTS_LOG);
    await waitUntil(
      () => jsonLinesOf(eventsPath).some((l) => l.event === 'joined' && l.room === '123'),
      10000,
      'the joined line in the events log',
    );
    expect(ownerAndMode(eventsPath)).toBe('conference:conference 640');
    const statePath = join(root, 'var/lib/conference-server/rooms.json');
    await waitUntil(() => existsSync(statePath), 10000, 'the state file');
    expect(ownerAndMode(statePath).split(' ')[0]).toBe('conference:conference');

    await caller.hangup();
    await caller.hungUp();
    const stopped = await service.stop(root);
    expect(stopped).toEqual({ code: 0, signal: null });
    expect(service.logs.at(-1)).toMatchObject({ event: 'stopped' });
  }, 90000);

  it("runs again without changing anything, and keeps the admin's settings and secrets", () => {
    const files = [
      UNIT_PATH,
      '/etc/logrotate.d/conference-server',
      '/etc/conference-server/env',
      '/etc/conference-server/conference.json',
    ].map((p) => join(root, p));
    const before = files.map((f) => [readFileSync(f, 'utf8'), statSync(f).mtimeMs]);
    const again = run(INSTALL, ['--root', root]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).not.toMatch(/install: (created|installed|updated|pointed)/);
    expect(again.stdout).toContain(`install: unchanged: ${root}/etc/conference-server/env (yours: never overwritten)`);
    expect(again.stdout).not.toContain('ACTION NEEDED');
    expect(again.stdout.trim().split('\n').at(-1)).toMatch(/^install: nothing changed: conference-server \S+ was installed already$/);
    expect(files.map((f) => [readFileSync(f, 'utf8'), statSync(f).mtimeMs])).toEqual(before);
  });

  /** docs/OPERATIONS.md, "Upgrade" and "Roll back": a new version folder and a switch of current, and back. */
  it("upgrades into a new version folder, rolls back with the old version's own script, and never changes an installed version", () => {
    const version = execFileSync('readlink', [join(root, 'opt/conference-server/current')], { encoding: 'utf8' }).trim();
    const apps = join(root, 'opt/conference-server');
    // The next release: the installed one with another version number.
    const next = join(scratchFolder('conference-next-'), 'conference-server-9.9.9');
    cpSync(join(apps, version), next, { recursive: true, verbatimSymlinks: true });
    const packageJson = join(next, 'package.json');
    writeFileSync(packageJson, readFileSync(packageJson, 'utf8').replace(`"version": "${version}"`, '"version": "9.9.9"'));

    const upgrade = run(join(next, 'install', 'install.sh'), ['--root', root]);
    expect(upgrade.stderr).toBe('');
    expect(upgrade.stdout).toContain(`install: installed conference-server 9.9.9 in ${apps}/9.9.9`);
    expect(upgrade.stdout).toContain(`install: pointed ${apps}/current at 9.9.9 (was ${version}; switch back the same way to roll back)`);
    expect(upgrade.stdout).toContain(`install: unchanged: ${root}/etc/conference-server/conference.json (yours: never overwritten)`);
    expect(execFileSync('readlink', [join(apps, 'current')], { encoding: 'utf8' }).trim()).toBe('9.9.9');

    const rollback = run(join(apps, version, 'install', 'install.sh'), ['--root', root]);
    expect(rollback.stderr).toBe('');
    expect(rollback.stdout).toContain(`install: unchanged: ${apps}/${version}`);
    expect(rollback.stdout).toContain(`install: pointed ${apps}/current at ${version} (was 9.9.9; switch back the same way to roll back)`);
    expect(execFileSync('readlink', [join(apps, 'current')], { encoding: 'utf8' }).trim()).toBe(version);
    expect(existsSync(join(apps, '9.9.9', 'dist/src/main.js'))).toBe(true);

    // Another build under an installed version is refused, and the installed folder stays as it was.
    writeFileSync(join(next, 'dist/src/main.js'), '// another build\n', { flag: 'a' });
    const rebuilt = run(join(next, 'install', 'install.sh'), ['--root', root]);
    expect(rebuilt.status).toBe(1);
    expect(rebuilt.stderr).toContain(
      `install: ${apps}/9.9.9 holds other files than ${next}: an installed version is never changed in place`,
    );
    expect(readFileSync(join(apps, '9.9.9', 'dist/src/main.js'), 'utf8')).not.toContain('another build');
    expect(execFileSync('readlink', [join(apps, 'current')], { encoding: 'utf8' }).trim()).toBe(version);
  }, 60000);

  it('refuses when not run as root, and from a folder that is not built, saying why', () => {
    const asNobody = run('setpriv', [
      '--reuid',
      'nobody',
      '--regid',
      'nogroup',
      '--clear-groups',
      '--',
      INSTALL,
      '--root',
      join(root, 'not-root'),
    ]);
    expect(asNobody.status).toBe(1);
    expect(asNobody.stderr).toMatch(/^install: run it as root: /);
    expect(existsSync(join(root, 'not-root'))).toBe(false);

    const unbuilt = scratchFolder('conference-unbuilt-');
    for (const part of ['install', 'package.json', 'config']) cpSync(join(ROOT, part), join(unbuilt, part), { recursive: true });
    const fromUnbuilt = run(join(unbuilt, 'install', 'install.sh'), ['--root', join(root, 'unbuilt')]);
    expect(fromUnbuilt.status).toBe(1);
    expect(fromUnbuilt.stderr).toBe(
      `install: ${unbuilt} is not built (no dist/src/main.js): in a checkout run 'npm ci && npm run build' (or 'make install'); a release artifact comes built\n`,
    );
    expect(existsSync(join(root, 'unbuilt'))).toBe(false);
  });

  /** install/logrotate/conference-server, rendered for the staging root: logrotate renames the events log, the app opens a new one at once. */
  it('logrotate rotates the events log and the app writes on in a fresh file', async () => {
    service = new ServiceProcess(root);
    await service.logged('reconciled', 30000);
    const caller = await joinRoom(driver, '88124', { pin: '4321' });
    await caller.entersBridge('conference-124');
    const eventsPath = join(root, EVENTS_LOG);
    await waitUntil(
      () => jsonLinesOf(eventsPath).some((l) => l.event === 'joined' && l.room === '124'),
      10000,
      'the joined line in the events log',
    );

    const work = scratchFolder('conference-logrotate-');
    const config = join(work, 'conference-server');
    writeFileSync(
      config,
      readFileSync(join(root, 'etc/logrotate.d/conference-server'), 'utf8').replaceAll(
        '/var/log/conference-server/',
        join(root, 'var/log/conference-server') + '/',
      ),
    );
    // systemctl as the snippet calls it, for this app (systemd is not PID 1 here): anything else fails.
    mkdirSync(join(work, 'bin'));
    writeFileSync(
      join(work, 'bin', 'systemctl'),
      [
        '#!/bin/sh',
        'case "$*" in',
        '  "--quiet is-active conference-server.service") exit 0 ;;',
        `  "kill --kill-whom=main --signal=SIGUSR1 conference-server.service") exec kill -USR1 ${String(service.child.pid)} ;;`,
        '  *) echo "systemctl stand-in: unexpected arguments: $*" >&2; exit 1 ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const from = service.logs.length;
    const rotate = run('logrotate', ['--force', '--state', join(work, 'state'), config], {
      env: { ...process.env, PATH: `${join(work, 'bin')}:${process.env.PATH ?? ''}` },
    });
    expect(rotate.stderr).toBe('');
    expect(rotate.status).toBe(0);

    // The app opened a new file at the path on the signal, before any further event.
    await service.logged('events-log-reopened', 10000, from);
    expect(jsonLinesOf(`${eventsPath}.1`).some((l) => l.event === 'joined' && l.room === '124')).toBe(true);
    expect(ownerAndMode(eventsPath)).toBe('conference:conference 640');
    expect(jsonLinesOf(eventsPath)).toEqual([]);
    await caller.hangup();
    await waitUntil(
      () => jsonLinesOf(eventsPath).some((l) => l.event === 'left' && l.room === '124'),
      10000,
      'the left line in the new events log',
    );
    expect(jsonLinesOf(`${eventsPath}.1`).some((l) => l.event === 'left' && l.room === '124')).toBe(false);
    expect(await service.stop(root)).toEqual({ code: 0, signal: null });
  }, 90000);
});
