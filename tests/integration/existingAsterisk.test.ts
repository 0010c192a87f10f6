import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AriEvent } from '../../src/ari/eventStream';
import { AppProcess } from '../../harness/appProcess';
import { Caller } from '../../harness/caller';
import { joinRoom } from '../helpers/scenario';
import { TestDriver } from '../../harness/testDriver';
import { ROOT, TEST_INSTANCE } from '../../harness/testEnv';

/**
 * docs/INSTALL-ASTERISK.md on an Asterisk that is a site's, not ours: Debian's stock
 * configuration of the asterisk package with the site's own extensions and contexts
 * (tests/fixtures/site-asterisk), plus only what install/asterisk/add-to-asterisk.sh does.
 * Its own instance, next to the test Asterisk: the ports of the test instance moved up.
 */
const rtpSpan = Number(TEST_INSTANCE.RTP_END) - Number(TEST_INSTANCE.RTP_START) + 1;
const SITE: NodeJS.ProcessEnv = {
  ASTERISK_INSTANCE: `${TEST_INSTANCE.ASTERISK_INSTANCE}-site`,
  ARI_PORT: String(Number(TEST_INSTANCE.ARI_PORT) + 100),
  SIP_PORT: String(Number(TEST_INSTANCE.SIP_PORT) + 100),
  RTP_START: String(Number(TEST_INSTANCE.RTP_START) + rtpSpan),
  RTP_END: String(Number(TEST_INSTANCE.RTP_END) + rtpSpan),
};
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'site-asterisk');
const APPLY = join(ROOT, 'install', 'asterisk', 'add-to-asterisk.sh');
const PASSWORD = randomBytes(12).toString('hex');
const ARI = { url: `http://127.0.0.1:${SITE.ARI_PORT}`, username: 'conference', password: PASSWORD };
const ARI_ENV = { ARI_URL: ARI.url, ARI_USER: ARI.username, ARI_PASSWORD: ARI.password };
/** The contexts where the site's phones, and its trunk's calls, arrive. */
const INTERNAL = 'site-phones';
const EXTERNAL = 'from-trunk';
/** What the documented steps add to the site's own files, line by line (blank lines aside). */
const ADDED_LINES: Record<string, string[]> = {
  'extensions.conf': [
    'include => conference-internal   ; the conference server',
    'include => conference-external   ; the conference server',
    '; The conference server (docs/INSTALL-ASTERISK.md).',
    '#include extensions_conference.conf',
  ],
  'ari.conf': ['; The conference server (docs/INSTALL-ASTERISK.md).', '#include ari_conference.conf'],
  'http.conf': ['; The conference server (docs/INSTALL-ASTERISK.md).', '#include http_conference.conf'],
};
const OUR_FILES = ['extensions_conference.conf', 'ari_conference.conf', 'http_conference.conf'];

/** scripts/asterisk.sh for the site's Asterisk. */
function site(args: string[], extra: NodeJS.ProcessEnv = {}): string {
  const { ARI_URL: _u, ARI_USER: _n, ARI_PASSWORD: _p, ...env } = process.env;
  return execFileSync(join(ROOT, 'scripts', 'asterisk.sh'), args, {
    cwd: ROOT,
    env: { ...env, ...SITE, ...extra },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The files of a folder, by name, with their text. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (sub: string): void => {
    for (const name of readdirSync(join(dir, sub))) {
      const path = join(sub, name);
      if (statSync(join(dir, path)).isDirectory()) walk(path);
      else files.set(path, readFileSync(join(dir, path), 'utf8'));
    }
  };
  walk('');
  return files;
}

function nonBlankLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

interface Outcome {
  readonly status: number;
  readonly output: string;
}

/** Runs a command as an admin would; resolves with its exit status and what it printed. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60000 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('added to an Asterisk the site already runs (docs/INSTALL-ASTERISK.md)', () => {
  const etc = join(mkdtempSync(join(tmpdir(), 'conference-site-')), 'etc');
  let before: Map<string, string>;
  let applied: Outcome;
  let driver: TestDriver | undefined;
  let app: AppProcess | undefined;

  /** `conference doctor` as the admin runs it, for the site's contexts; the site's CLI through scripts/asterisk.sh. */
  function doctor(env: NodeJS.ProcessEnv = {}, contexts = ['--internal', INTERNAL, '--external', EXTERNAL]): Promise<Outcome> {
    const args = ['doctor', ...contexts, '--asterisk-cli', `${join(ROOT, 'scripts', 'asterisk.sh')} cli`];
    return run(join(ROOT, 'bin', 'conference.js'), args, {
      ...process.env,
      ...SITE,
      CONFERENCE_CONFIG: app!.settingsPath,
      ...ARI_ENV,
      ...env,
    });
  }

  /** Every Playback the dialplan (not the app) ran on this caller's channel. */
  function dialplanApps(caller: Caller, application: string): string[] {
    return driver!.events
      .filter(
        (e: AriEvent) =>
          e.type === 'ChannelDialplan' && (e.channel as { id: string }).id === caller.appChannel && e.dialplan_app === application,
      )
      .map((e) => String(e.dialplan_app_data));
  }

  beforeAll(async () => {
    // The site: the package's stock configuration, and the site's own changes to it.
    site(['samples', etc]);
    for (const name of readdirSync(FIXTURE).filter((n) => n.endsWith('.conf') || n.endsWith('.append'))) {
      const text = readFileSync(join(FIXTURE, name), 'utf8').replace(/@INSTANCE@/g, String(SITE.ASTERISK_INSTANCE));
      if (name.endsWith('.append')) appendFileSync(join(etc, name.replace(/\.append$/, '')), text);
      else writeFileSync(join(etc, name), text);
    }
    before = snapshot(etc);
    // Only the documented steps.
    applied = await run(APPLY, [etc, '--internal', INTERNAL, '--external', EXTERNAL, '--http-port', String(SITE.ARI_PORT)], {
      ...process.env,
      ARI_PASSWORD: PASSWORD,
    });
    site(['up'], { ASTERISK_CONFIG: etc, ARI_USER: ARI.username, ARI_PASSWORD: PASSWORD });
    driver = await TestDriver.connect(16, ARI);
    app = AppProcess.prepare({}, { env: ARI_ENV });
    await app.start();
  }, 300000);

  afterEach(async () => {
    await driver?.hangupAll();
  });

  afterAll(async () => {
    await app?.kill();
    await driver?.close();
    site(['down']);
  });

  it('the apply step changes only what the guide says, keeps a backup of each file of the site it touches, and changes nothing when run again', async () => {
    expect(applied.status).toBe(0);
    const after = snapshot(etc);
    const changed = [...after.keys()].filter((name) => after.get(name) !== before.get(name)).sort();
    expect(changed).toEqual(
      [...Object.keys(ADDED_LINES), ...OUR_FILES, ...Object.keys(ADDED_LINES).map((name) => `${name}.before-conference`)].sort(),
    );
    for (const [name, added] of Object.entries(ADDED_LINES)) {
      expect(after.get(`${name}.before-conference`)).toBe(before.get(name));
      const lines = nonBlankLines(after.get(name)!);
      expect(lines.filter((line) => added.includes(line)).sort()).toEqual([...added].sort());
      expect(lines.filter((line) => !added.includes(line))).toEqual(nonBlankLines(before.get(name)!));
    }
    expect(after.get('extensions_conference.conf')).toBe(
      readFileSync(join(ROOT, 'install', 'asterisk', 'extensions_conference.conf'), 'utf8'),
    );
    expect(statSync(join(etc, 'ari_conference.conf')).mode & 0o777).toBe(0o640);
    expect(after.get('ari_conference.conf')).toContain(`password = ${PASSWORD}`);

    const { ARI_PASSWORD: _given, ...env } = process.env;
    const again = await run(APPLY, [etc, '--internal', INTERNAL, '--external', EXTERNAL, '--http-port', String(SITE.ARI_PORT)], env);
    expect(again.status).toBe(0);
    expect(again.output).not.toMatch(/wrote|added|backup/);
    expect(snapshot(etc)).toEqual(after);
  });

  it('the apply step refuses a context it cannot find, naming it, and changes nothing', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'conference-site-copy-'));
    for (const name of ['extensions.conf', 'ari.conf', 'http.conf']) copyFileSync(join(etc, `${name}.before-conference`), join(copy, name));
    const refused = await run(APPLY, [copy, '--internal', 'from-internal'], process.env);
    expect(refused.status).toBe(2);
    expect(refused.output).toMatch(/context \[from-internal\] not found in \S+extensions\.conf/);
    expect(readdirSync(copy).sort()).toEqual(['ari.conf', 'extensions.conf', 'http.conf']);
  });

  it("88123 reaches the room from the site's internal context and from its trunk context, each caller of its kind", async () => {
    const inside = await joinRoom(driver!, '88123', {}, INTERNAL);
    await inside.entersBridge('conference-123');
    const outside = await joinRoom(driver!, '88123', {}, EXTERNAL);
    await outside.entersBridge('conference-123');
    expect(dialplanApps(inside, 'Stasis')).toEqual(['conference,123,internal']);
    expect(dialplanApps(outside, 'Stasis')).toEqual(['conference,123,external']);
  });

  it.each([
    [INTERNAL, '100', 'hello-world'],
    [INTERNAL, '8800', 'tt-monkeys'],
    [INTERNAL, '*97', 'vm-login'],
    // From Debian's sample [demo], which the site includes after the conference's include.
    [INTERNAL, '600', 'demo-echotest'],
    [EXTERNAL, '5550100', 'hello-world'],
  ])("the site's own extension %s,%s still answers and plays %s", async (context, number, played) => {
    const caller = await driver!.call(number, { context });
    await driver!.waitFor(
      (e) => e.type === 'ChannelDialplan' && (e.channel as { id: string }).id === caller.appChannel && e.dialplan_app === 'Playback',
      10000,
      `a Playback on ${number}@${context}`,
    );
    expect(dialplanApps(caller, 'Playback')).toEqual([played]);
    expect(dialplanApps(caller, 'Stasis')).toEqual([]);
  });

  it("after a dialplan reload, 88123 still joins and the server number in Asterisk is still the app's", async () => {
    site(['cli', 'dialplan reload']);
    const caller = await joinRoom(driver!, '88123', {}, INTERNAL);
    await caller.entersBridge('conference-123');
    expect(site(['cli', 'database get conference number'])).toMatch(/^Value: 88$/m);
    expect(app!.logs.filter((l) => l.event === 'dialplan-settings-repaired')).toEqual([]);
  });

  it('the check command reports a clean install', async () => {
    const checked = await doctor();
    expect(checked.output).toMatch(/^clean: /m);
    expect(checked.output).not.toMatch(/WRONG/);
    expect(checked.status).toBe(0);
  });

  it('the check command names a missing include of the snippet, and its fix', async () => {
    site(['cli', `dialplan remove include conference-external from ${EXTERNAL}`]);
    try {
      const checked = await doctor();
      expect(checked.output).toMatch(
        new RegExp(
          `^WRONG ${EXTERNAL} does not include conference-external: .* Fix: add "include => conference-external" to \\[${EXTERNAL}\\]`,
          'm',
        ),
      );
      expect(checked.output.match(/^WRONG/gm)).toHaveLength(1);
      expect(checked.status).toBe(1);
    } finally {
      site(['cli', 'dialplan reload']);
    }
  });

  it('the check command names an extension of the site that the server number collides with', async () => {
    site(['cli', `dialplan add extension _881XX,1,Answer() into ${INTERNAL}`]);
    try {
      const checked = await doctor();
      expect(checked.output).toMatch(
        new RegExp(
          `^WRONG the server number collides with your dialplan: 88123 dialled from ${INTERNAL} meets '_881XX' of ${INTERNAL} before conference-internal\\. Fix: `,
          'm',
        ),
      );
      expect(checked.status).toBe(1);
    } finally {
      site(['cli', 'dialplan reload']);
    }
  });

  it('the check command names a wrong ARI password, and its fix', async () => {
    const checked = await doctor({ ARI_PASSWORD: `${PASSWORD}x` });
    expect(checked.output).toMatch(
      /^WRONG ARI at \S+ refused the user 'conference' with its password \(401 Unauthorized\)\. Fix: .*ari_conference\.conf/m,
    );
    expect(checked.status).toBe(1);
  });

  it('the check command names a server number the snippet was not rendered for', async () => {
    const settings = join(mkdtempSync(join(tmpdir(), 'conference-doctor-')), 'conference.json');
    copyFileSync(app!.settingsPath, settings);
    writeFileSync(settings, JSON.stringify({ ...JSON.parse(readFileSync(settings, 'utf8')), number: '77' }));
    const checked = await doctor({ CONFERENCE_CONFIG: settings });
    expect(checked.output).toMatch(
      /^WRONG conference-internal does not answer the app's server number 77 .* Fix: add-to-asterisk\.sh --number 77/m,
    );
    expect(checked.status).toBe(1);
  });
});
