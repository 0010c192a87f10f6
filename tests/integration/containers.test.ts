import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitUntil } from '../../harness/waitUntil';
import { joinRoom } from '../helpers/scenario';
import { TestDriver } from '../../harness/testDriver';
import { asteriskEnv, ROOT, TEST_INSTANCE } from '../../harness/testEnv';

/**
 * README, "Containers": the app's image (docker/app.Dockerfile, built by scripts/app-image.sh)
 * run alone against the test Asterisk, and docker/compose.yaml with an Asterisk of its own.
 * Names and ports derive from the test instance, so runs side by side do not meet.
 */
const instance = TEST_INSTANCE.ASTERISK_INSTANCE!;
const image = `conference/server:test-${instance}`;
/** The uid the image runs the app as (docker/app.Dockerfile): the state folder must be its. */
const APP_UID = 10001;
/** `docker stop` waits this long before it kills; the app ends well within it on SIGTERM (README). */
const STOP_BUDGET_S = 10;

const run = promisify(execFile);

function docker(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('docker', args, { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
}

/** Docker must run here: where it cannot (the test Asterisk in a chroot), these tests fail saying so. */
function requireDocker(): void {
  try {
    docker(['info']);
  } catch (error) {
    throw new Error(
      `the container tests need a Docker engine, and none answers here (the test Asterisk may run in a chroot): ${String((error as { stderr?: string }).stderr ?? error).trim()}`,
    );
  }
}

function removeContainer(name: string): void {
  if (docker(['ps', '-a', '-q', '--filter', `name=^${name}$`]).trim()) docker(['rm', '-f', name]);
}

/** The settings folder a container mounts at /etc/conference-server: only the API's port set. */
function settingsFolder(apiPort: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'conference-container-'));
  writeFileSync(join(dir, 'conference.json'), JSON.stringify({ api: { port: apiPort } }), { mode: 0o644 });
  // Readable by the container's user (settings hold no secret; mkdtemp makes the folder 700).
  chmodSync(dir, 0o755);
  return dir;
}

async function health(apiPort: number): Promise<{ code: number; body: Record<string, unknown> } | undefined> {
  try {
    const answer = await fetch(`http://127.0.0.1:${apiPort}/health`, { signal: AbortSignal.timeout(2000) });
    return { code: answer.status, body: (await answer.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

async function healthOk(apiPort: number, what: string): Promise<void> {
  await waitUntil(async () => (await health(apiPort))?.body.status === 'ok', 60000, `${what}: /health on port ${apiPort} to answer ok`);
}

beforeAll(async () => {
  requireDocker();
  // Layers are reused: after the first build, seconds.
  await run(join(ROOT, 'scripts', 'app-image.sh'), [], { cwd: ROOT, env: { ...process.env, APP_IMAGE: image }, timeout: 1500000 });
}, 1600000);

describe('the app image, run alone', () => {
  const container = `conference-app-${instance}`;
  const apiPort = Number(TEST_INSTANCE.ARI_PORT) + 2;
  let driver: TestDriver;

  beforeAll(async () => {
    driver = await TestDriver.connect();
  });
  afterAll(async () => {
    removeContainer(container);
    await driver?.close();
  });

  it('with its ARI password from a file, serves a call against the test Asterisk, turns healthy, keeps its state on the volume, and ends at docker stop', async () => {
    removeContainer(container);
    const state = mkdtempSync(join(tmpdir(), 'conference-state-'));
    chownSync(state, APP_UID, APP_UID);
    const ari = asteriskEnv();
    // The ARI password from a file of mode 600, the container user's (a Docker secret would be one).
    const secrets = mkdtempSync(join(tmpdir(), 'conference-secrets-'));
    chmodSync(secrets, 0o755);
    writeFileSync(join(secrets, 'ari-password'), `${ari.ARI_PASSWORD}\n`, { mode: 0o600 });
    chownSync(join(secrets, 'ari-password'), APP_UID, APP_UID);
    docker([
      'run',
      '-d',
      '--name',
      container,
      '--network',
      'host',
      '-e',
      `ARI_URL=${ari.ARI_URL}`,
      '-e',
      `ARI_USER=${ari.ARI_USER}`,
      '-e',
      'ARI_PASSWORD_FILE=/run/secrets/ari-password',
      '-v',
      `${secrets}:/run/secrets:ro`,
      '-v',
      `${settingsFolder(apiPort)}:/etc/conference-server:ro`,
      '-v',
      `${state}:/var/lib/conference-server`,
      image,
    ]);
    const [user, label] = docker([
      'inspect',
      '-f',
      '{{.Config.User}} {{index .Config.Labels "org.opencontainers.image.version"}}',
      container,
    ])
      .trim()
      .split(' ');
    expect(user).toBe('conference');
    // The build's stamp: package.json's version and the commit, on the image and in the app.
    expect(label).toMatch(
      new RegExp(
        `^${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version.replace(/\./g, '\\.')}\\+[0-9a-f]{12}`,
      ),
    );

    await healthOk(apiPort, 'the app container');
    expect((await health(apiPort))?.body.version).toBe(label);
    const caller = await joinRoom(driver, '88123', { pin: '4321' });
    await caller.entersBridge('conference-123');
    // The room's PIN (hashed) outlives the container: it is on the state volume.
    await waitUntil(() => existsSync(join(state, 'rooms.json')), 10000, 'rooms.json in the state volume');
    await waitUntil(
      () => docker(['inspect', '-f', '{{.State.Health.Status}}', container]).trim() === 'healthy',
      60000,
      'the HEALTHCHECK to report healthy',
    );
    await caller.hangup();

    docker(['stop', '-t', String(STOP_BUDGET_S), container]);
    // 0: the app ended itself on SIGTERM (a container killed at the budget's end shows 137).
    expect(docker(['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', container]).trim()).toBe('false 0');
    expect(docker(['logs', container])).toMatch(/"event":"stopped"/);
  }, 180000);
});

describe('docker/compose.yaml', () => {
  const project = `conference-compose-${instance}`;
  const ariPort = Number(TEST_INSTANCE.ARI_PORT) + 100;
  const apiPort = ariPort + 2;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APP_IMAGE: image,
    ARI_PORT: String(ariPort),
    SIP_PORT: String(Number(TEST_INSTANCE.SIP_PORT) + 100),
    RTP_START: String(Number(TEST_INSTANCE.RTP_END) + 1),
    RTP_END: String(Number(TEST_INSTANCE.RTP_END) + 500),
    HTTP_SESSION_LIMIT: '120',
    ARI_USER: 'conference',
    ARI_PASSWORD: randomBytes(12).toString('hex'),
    SIP_PASSWORD: randomBytes(12).toString('hex'),
    CONFERENCE_CONFIG_DIR: settingsFolder(apiPort),
  };
  const compose = (...args: string[]): string =>
    execFileSync('docker-compose', ['-p', project, '-f', 'docker/compose.yaml', ...args], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180000,
    });
  const projectContainers = (): string[] =>
    docker(['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`])
      .split('\n')
      .filter(Boolean);
  /** `conference dial` as an admin runs it against this Asterisk: exit status 0 only when the call joined. */
  const dial = async (): Promise<string> => {
    const { stdout } = await run('node', ['bin/conference.js', 'dial', '88123', '--pin', '4321'], {
      cwd: ROOT,
      env: { ...env, ARI_URL: `http://127.0.0.1:${ariPort}` },
      timeout: 60000,
    });
    return stdout;
  };

  afterAll(() => {
    compose('down', '-v');
  }, 60000);

  it('comes up, takes a call through its Asterisk into a room, restarts an app that dies, and goes down clean', async () => {
    compose('down', '-v');
    compose('up', '-d');
    await healthOk(apiPort, 'the compose app');
    // Rendered as scripts/asterisk.sh renders it: every placeholder filled, from this environment.
    const rendered = compose('exec', '-T', 'asterisk', 'sh', '-c', 'cat /etc/asterisk/*.conf');
    expect(rendered).toMatch(/^sessionlimit = 120$/m);
    expect(rendered).not.toMatch(/@[A-Z_]+@/);
    expect(await dial()).toMatch(/joined conference-123/);

    // A dead app (killed from outside, as a crash would end it) is started again by Docker.
    const app = compose('ps', '-q', 'conference').trim();
    process.kill(Number(docker(['inspect', '-f', '{{.State.Pid}}', app]).trim()), 'SIGKILL');
    await waitUntil(
      () => Number(docker(['inspect', '-f', '{{.RestartCount}}', app]).trim()) >= 1,
      30000,
      'Docker to restart the killed app',
    );
    await healthOk(apiPort, 'the restarted compose app');
    expect(await dial()).toMatch(/joined conference-123/);

    compose('down', '-v');
    expect(projectContainers()).toEqual([]);
  }, 300000);
});
