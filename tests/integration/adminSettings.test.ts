import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';
import { ROOT, astdbValue } from '../../harness/testEnv';

/** SPEC.md "Administrator settings": each switch flipped by rewriting the file while the app runs. */
describe('administrator settings, applied live', () => {
  const s = useScenario();

  /** The server number the dialplan reads, as the app stored it in Asterisk's database. */
  function dialplanNumber(): string | undefined {
    return astdbValue('conference', 'number');
  }

  it('enabled off: new callers hear "service not available" and are hung up; a conference in progress goes on', async () => {
    const inside = await joinRoom(s.driver, '88800');
    await inside.entersBridge('conference-800');
    await s.harness.writeSettings({ enabled: false });
    try {
      const late = await s.driver.call('88800');
      await late.hears('sound:conference/service-unavailable');
      await late.hungUp();
      expect(await inside.bridge()).toBe('conference-800');
    } finally {
      await s.harness.writeSettings({ enabled: true });
    }
    const again = await joinRoom(s.driver, '88800');
    await again.entersBridge('conference-800');
  });

  it('number: the new number works and the old one stops, for internal and external callers', async () => {
    const inside = await joinRoom(s.driver, '88801');
    await inside.entersBridge('conference-801');
    await s.harness.writeSettings({ number: '77' });
    try {
      await waitUntil(() => dialplanNumber() === '77', 2000, 'the number 77 in AstDB');
      const internal = await joinRoom(s.driver, '77801');
      await internal.entersBridge('conference-801');
      const external = await joinRoom(s.driver, '77801', {}, 'from-external');
      await external.entersBridge('conference-801');
      for (const context of ['from-internal', 'from-external'] as const) {
        const old = await s.driver.call('88801', { context });
        await old.hungUp();
        expect(old.played()).not.toContain('sound:conf-getpin');
      }
      expect(await inside.bridge()).toBe('conference-801');
    } finally {
      await s.harness.writeSettings({ number: '88' });
      await waitUntil(() => dialplanNumber() === '88', 2000, 'the number 88 back in AstDB');
    }
  });

  it('number: a one-digit server number works alone and with a room', async () => {
    await s.harness.writeSettings({ number: '9' });
    try {
      await waitUntil(() => dialplanNumber() === '9', 2000, 'the number 9 in AstDB');
      const alone = await s.driver.call('9');
      await alone.hears('sound:conf-getconfno');
      await alone.dtmf('809#');
      await alone.hears('sound:conf-getpin');
      await alone.dtmf('#');
      await alone.entersBridge('conference-809');
      const direct = await joinRoom(s.driver, '9809');
      await direct.entersBridge('conference-809');
    } finally {
      await s.harness.writeSettings({ number: '88' });
      await waitUntil(() => dialplanNumber() === '88', 2000, 'the number 88 back in AstDB');
    }
  });

  it('externalAccess off: external callers are refused, internal ones are not, and one already in a room stays', async () => {
    const inside = await joinRoom(s.driver, '88808', {}, 'from-external');
    await inside.entersBridge('conference-808');
    await s.harness.writeSettings({ externalAccess: false });
    try {
      const external = await s.driver.call('88802', { context: 'from-external' });
      await external.hears('sound:conference/external-not-allowed');
      await external.hungUp();
      const internal = await joinRoom(s.driver, '88802');
      await internal.entersBridge('conference-802');
      expect(await inside.bridge()).toBe('conference-808');
    } finally {
      await s.harness.writeSettings({ externalAccess: true });
    }
  });

  it('externalMayStart off: external callers may join a room an internal caller started, never start one; a room one started goes on', async () => {
    const starter = await joinRoom(s.driver, '88807', {}, 'from-external');
    await starter.entersBridge('conference-807');
    await s.harness.writeSettings({ externalMayStart: false });
    try {
      const fresh = await s.driver.call('88803', { context: 'from-external' });
      await fresh.hears('sound:conference/external-may-not-start');
      await fresh.hungUp();
      const random = await s.driver.call('88000', { context: 'from-external' });
      await random.hears('sound:conference/external-may-not-start');
      await random.hungUp();
      expect(random.played().some((m) => m.startsWith('digits:'))).toBe(false);

      const internal = await joinRoom(s.driver, '88804', { pin: '12' });
      await internal.entersBridge('conference-804');
      const external = await joinRoom(s.driver, '88804', { pin: '12' }, 'from-external');
      await external.entersBridge('conference-804');
      expect(await starter.bridge()).toBe('conference-807');
    } finally {
      await s.harness.writeSettings({ externalMayStart: true });
    }
    const now = await joinRoom(s.driver, '88805', {}, 'from-external');
    await now.entersBridge('conference-805');
  });

  it('a change to a setting read at start is logged, naming exactly the changed ones, and waits for the restart', async () => {
    const before = s.harness.store.current;
    const restartLogs = (): Array<Record<string, unknown>> => s.harness.logs.filter((l) => l.event === 'restart-needed');
    const seen = restartLogs().length;
    await s.harness.writeSettings({ api: { ...before.api, token: 'a-token-of-16-chars' } });
    expect(restartLogs()).toHaveLength(seen);
    const apiUrl = s.harness.apiUrl;
    await s.harness.writeSettings({ ari: { ...before.ari, requestTimeoutMs: 5000 }, api: { ...before.api, port: 1 } });
    try {
      expect(restartLogs().slice(seen)).toEqual([expect.objectContaining({ level: 'warn', setting: 'ari.requestTimeoutMs, api.port' })]);
      expect((await fetch(`${apiUrl}/health`)).status).toBe(200);
      const caller = await joinRoom(s.driver, '88810');
      await caller.entersBridge('conference-810');
    } finally {
      await s.harness.writeSettings({ ari: before.ari, api: before.api });
    }
  });

  it('refuses an invalid file with a message naming the setting, and keeps the settings in force', async () => {
    const before = s.harness.store.current;
    s.harness.writeRaw(JSON.stringify({ enabled: 'yes', number: '8a', unknownSetting: 1 }));
    await waitUntil(() => s.harness.logs.some((l) => l.event === 'settings-rejected'), 2000, 'the file to be refused');
    const rejected = s.harness.logs.find((l) => l.event === 'settings-rejected') as { errors: string[] };
    expect(rejected.errors.join('\n')).toMatch(/enabled: must be true or false/);
    expect(rejected.errors.join('\n')).toMatch(/number: must be 1 to 6 digits/);
    expect(rejected.errors.join('\n')).toMatch(/unknownSetting/);
    expect(s.harness.store.current).toBe(before);
    const caller = await joinRoom(s.driver, '88806');
    await caller.entersBridge('conference-806');
    s.harness.writeRaw(JSON.stringify({ ...JSON.parse(JSON.stringify(before)), ari: before.ari }));
  });

  it('exits non-zero at start-up with a file that fails validation, naming the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conference-bad-'));
    const path = join(dir, 'conference.json');
    writeFileSync(path, JSON.stringify({ externalAccess: 1, entry: { maxAttempts: 0 } }));
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')], {
      env: { ...process.env, CONFERENCE_CONFIG: path },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/externalAccess: must be true or false/);
    expect(run.stderr).toMatch(/entry\.maxAttempts: must be a whole number from 1 to 10/);
  });
});
