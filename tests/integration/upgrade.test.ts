import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { waitUntil } from '../../harness/waitUntil';
import { AppProcess } from '../../harness/appProcess';
import { Caller } from '../../harness/caller';
import { makeDist, unpack } from '../helpers/release';
import { expectWrongPinRefused, joinRoom } from '../helpers/scenario';
import { TestDriver } from '../../harness/testDriver';
import { ROOT } from '../../harness/testEnv';

/** The version the upgrade's new release says it is: its stamp, rewritten in a second unpacked copy. */
const NEW_VERSION = '99.0.0-upgrade-test';

/** A command of the unpacked release, run with `node` from its folder and nothing of this checkout. */
function runRelease(release: string, args: string[]): string {
  const { NODE_PATH: _p, NODE_OPTIONS: _o, ...env } = process.env;
  return execFileSync(process.execPath, args, { cwd: release, env, encoding: 'utf8' }).trim();
}

async function enter(driver: TestDriver, room: string, pin: string): Promise<Caller> {
  const caller = await joinRoom(driver, `88${room}`, { pin });
  await caller.entersBridge(`conference-${room}`);
  return caller;
}

/**
 * An upgrade with the release artifact (`make dist`), as the operations guide tells it.
 * The old release runs with live rooms; it is stopped (SIGTERM) and the new release is started
 * on the same settings and state file. Callers stay in their rooms, a newcomer joins with the
 * room's PIN, a wrong PIN is still refused. Both releases run from unpacked copies in a folder
 * of their own (no checkout around them): `node dist/src/main.js`, no compiler, no network.
 */
describe('upgrade with the release artifact', () => {
  let driver: TestDriver;
  let folder: string;
  /** Unpacked inside this checkout, where Node finds the checkout's ts-node above the release's folder. */
  let inCheckout: string;
  let oldRelease: string;
  let newRelease: string;
  let oldApp: AppProcess;
  let newApp: AppProcess;

  beforeAll(async () => {
    driver = await TestDriver.connect();
    const artifact = makeDist();
    folder = mkdtempSync(join(tmpdir(), 'conference-upgrade-'));
    inCheckout = unpack(artifact, mkdtempSync(join(ROOT, 'release', 'unpacked-')));
    oldRelease = unpack(artifact, join(folder, 'old'));
    newRelease = unpack(artifact, join(folder, 'new'));
    writeFileSync(join(newRelease, 'dist', 'src', 'version.json'), JSON.stringify({ version: NEW_VERSION }));
    oldApp = AppProcess.prepare({}, { release: oldRelease });
    newApp = oldApp.withSameSettings({ release: newRelease });
  }, 300000);
  afterAll(async () => {
    await driver?.hangupAll();
    await oldApp?.kill('SIGKILL');
    await newApp?.kill('SIGKILL');
    await driver?.close();
    for (const path of [folder, inCheckout && dirname(inCheckout)]) if (path) rmSync(path, { recursive: true, force: true });
  });

  it("is one folder with compiled JS and production packages only, and tells its version: the package's and the commit built", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const oldVersion = runRelease(oldRelease, ['bin/conference.js', '--version']);
    expect(oldVersion).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\+${commit}(\\.dirty)?$`));
    expect(oldRelease).toBe(join(folder, 'old', `conference-server-${oldVersion}`));
    expect(runRelease(newRelease, ['bin/conference.js', '--version'])).toBe(NEW_VERSION);
    expect(runRelease(inCheckout, ['bin/conference.js', '--version'])).toBe(oldVersion);
    for (const path of [
      'dist/src/main.js',
      'bin/conference.js',
      'package-lock.json',
      'config/conference.json',
      'sounds',
      'asterisk-conf',
      'docs',
      'README.md',
      'node_modules/winston',
    ]) {
      expect([path, existsSync(join(oldRelease, path))]).toEqual([path, true]);
    }
    for (const path of [
      'src',
      'tests',
      'node_modules/typescript',
      'node_modules/ts-node',
      'node_modules/jest',
      'node_modules/@types/jest',
    ]) {
      expect([path, existsSync(join(oldRelease, path))]).toEqual([path, false]);
    }
  });

  it('old release stopped with live rooms, new one started on the same state file: callers stay, the PIN still admits and refuses', async () => {
    const stateFile = join(dirname(oldApp.settingsPath), 'rooms.json');
    await oldApp.start();
    const oldVersion = runRelease(oldRelease, ['bin/conference.js', '--version']);
    expect(oldApp.logs.find((l) => l.event === 'starting')).toMatchObject({ version: oldVersion });
    const a = [await enter(driver, '811', '1111'), await enter(driver, '811', '1111')];
    const b = await enter(driver, '812', '2222');
    // Each join done, its line logged, before the stop: what the stop logs is the stop's own.
    await waitUntil(() => oldApp.logs.filter((l) => l.event === 'joined').length === 3, 5000, 'three joined lines from the old release');

    const stopped = await oldApp.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    // A stop is not a hangup: no caller left its room (logged as left, or a room's clean-up), no room's PIN left the state file.
    const sinceStop = oldApp.logs.slice(oldApp.logs.findIndex((l) => l.event === 'stopping'));
    expect(sinceStop.filter((l) => l.room !== undefined)).toEqual([]);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({
      version: 1,
      rooms: { '811': expect.anything(), '812': expect.anything() },
    });
    // Nobody is dropped while no app runs.
    expect(await a[0]!.bridge()).toBe('conference-811');
    expect(await b.bridge()).toBe('conference-812');

    await newApp.start();
    expect(newApp.logs.find((l) => l.event === 'starting')).toMatchObject({ version: NEW_VERSION });
    expect(newApp.logs.find((l) => l.event === 'reconciled')).toMatchObject({ adopted: 2 });
    const health = (await (await fetch(`${newApp.apiUrl}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', version: NEW_VERSION });
    const bridges = await driver.conferenceBridges();
    expect(bridges.get('conference-811')?.sort()).toEqual(a.map((caller) => caller.appChannel).sort());
    expect(bridges.get('conference-812')).toEqual([b.appChannel]);

    const newcomer = await enter(driver, '811', '1111');
    expect(await newcomer.bridge()).toBe('conference-811');
    await expectWrongPinRefused(driver, '88812', '9999');

    // The callers taken over are the new app's like any other: when they hang up, their rooms go.
    for (const caller of [...a, b, newcomer]) await caller.hangup();
    await waitUntil(async () => (await driver.conferenceBridges()).size === 0, 5000, 'all rooms to be destroyed');
    await waitUntil(
      () => Object.keys((JSON.parse(readFileSync(stateFile, 'utf8')) as { rooms: object }).rooms).length === 0,
      5000,
      'the stored PINs to go with their rooms',
    );
  }, 120000);

  it('a state file in the first format (no version) is read as before: its room is taken over with its PIN, and written back as version 1', async () => {
    const stateFile = join(dirname(oldApp.settingsPath), 'rooms.json');
    await newApp.kill('SIGTERM');
    await oldApp.start();
    const first = await enter(driver, '813', '3333');
    expect((await oldApp.stop('SIGTERM')).code).toBe(0);
    const { rooms } = JSON.parse(readFileSync(stateFile, 'utf8')) as { rooms: object };
    writeFileSync(stateFile, JSON.stringify({ rooms }), { mode: 0o600 });

    await newApp.start();
    expect(newApp.logs.filter((l) => l.event === 'reconciled').at(-1)).toMatchObject({ adopted: 1 });
    const newcomer = await enter(driver, '813', '3333');
    expect((await driver.conferenceBridges()).get('conference-813')?.sort()).toEqual([first.appChannel, newcomer.appChannel].sort());
    for (const caller of [first, newcomer]) await caller.hangup();
    await waitUntil(async () => (await driver.conferenceBridges()).size === 0, 5000, 'the room to be destroyed');
    await waitUntil(
      () => readFileSync(stateFile, 'utf8') === JSON.stringify({ version: 1, rooms: {} }),
      5000,
      'the state file written as version 1, without the room',
    );
  }, 120000);
});
