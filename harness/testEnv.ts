import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseEnvOutput } from '../src/tools/asteriskEnv';

export const ROOT = join(__dirname, '..');

/** The test Asterisk sits on its own ports, so a test run can run beside `make run`. */
export const TEST_INSTANCE: NodeJS.ProcessEnv = {
  ASTERISK_INSTANCE: process.env.TEST_ASTERISK_INSTANCE ?? 'test',
  ARI_PORT: process.env.TEST_ARI_PORT ?? '18088',
  SIP_PORT: process.env.TEST_SIP_PORT ?? '15060',
  RTP_START: process.env.TEST_RTP_START ?? '11000',
  RTP_END: process.env.TEST_RTP_END ?? '11999',
};

/**
 * The second node of a test cluster: a test Asterisk of its own beside the first, on ports clear
 * of the first one's and of the test phones' (tests/helpers/sipPhone.ts). `make down-test` stops it.
 */
export const SECOND_INSTANCE: NodeJS.ProcessEnv = {
  ASTERISK_INSTANCE: `${TEST_INSTANCE.ASTERISK_INSTANCE}-b`,
  ARI_PORT: String(Number(TEST_INSTANCE.ARI_PORT) + 200),
  SIP_PORT: String(Number(TEST_INSTANCE.SIP_PORT) + 200),
  RTP_START: String(Number(TEST_INSTANCE.RTP_START) + 1600),
  RTP_END: String(Number(TEST_INSTANCE.RTP_START) + 1999),
};

export interface AsteriskEnv {
  ARI_URL: string;
  ARI_USER: string;
  ARI_PASSWORD: string;
  SIP_PORT: string;
  SIP_PASSWORD: string;
  CLUSTER_PASSWORD: string;
}

/** Runs scripts/asterisk.sh for the test instance, or for another one (`instance`: its variables). */
export function asteriskScript(args: string[], options: { inherit?: boolean; instance?: NodeJS.ProcessEnv } = {}): string {
  return (
    execFileSync(join(ROOT, 'scripts', 'asterisk.sh'), args, {
      cwd: ROOT,
      env: scriptEnv(options.instance),
      encoding: 'utf8',
      stdio: options.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'inherit'],
    }) ?? ''
  );
}

/** The same, without waiting: for a test that watches the app while Asterisk restarts. */
export function asteriskScriptInBackground(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      join(ROOT, 'scripts', 'asterisk.sh'),
      args,
      { cwd: ROOT, env: scriptEnv(), encoding: 'utf8' },
      (error: Error | null, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

/** The script's environment: the test instance's ports, not the credentials of another Asterisk. */
function scriptEnv(instance: NodeJS.ProcessEnv = TEST_INSTANCE): NodeJS.ProcessEnv {
  const { ARI_URL: _u, ARI_USER: _n, ARI_PASSWORD: _p, ...env } = process.env;
  return { ...env, ...instance };
}

/** This process's environment plus the test Asterisk's ARI credentials: for a child that talks to ARI. */
export function withAriCredentials(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = asteriskEnv();
  return { ...process.env, ...extra, ARI_URL: env.ARI_URL, ARI_USER: env.ARI_USER, ARI_PASSWORD: env.ARI_PASSWORD };
}

let cached: AsteriskEnv | undefined;

/** Credentials and ports of the running test Asterisk (scripts/asterisk.sh env). */
export function asteriskEnv(): AsteriskEnv {
  cached ??= envOf(TEST_INSTANCE);
  return cached;
}

function envOf(instance: NodeJS.ProcessEnv): AsteriskEnv {
  const values = parseEnvOutput(asteriskScript(['env'], { instance }));
  for (const key of ['ARI_URL', 'ARI_USER', 'ARI_PASSWORD', 'SIP_PORT', 'SIP_PASSWORD', 'CLUSTER_PASSWORD'] as const) {
    if (!values[key]) throw new Error(`scripts/asterisk.sh env did not print ${key}`);
  }
  return values as unknown as AsteriskEnv;
}

/** The instance's variables with the test instance's SIP and cluster passwords: phones and nodes talk to both alike. */
function withTestPasswords(instance: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SIP_PASSWORD, CLUSTER_PASSWORD } = asteriskEnv();
  return { ...instance, SIP_PASSWORD, CLUSTER_PASSWORD };
}

/** Starts (or reuses) the second node's Asterisk; resolves with its credentials and ports. */
export function startSecondAsterisk(): AsteriskEnv {
  const instance = withTestPasswords(SECOND_INSTANCE);
  asteriskScript(['up'], { inherit: true, instance });
  return envOf(instance);
}

/** A value in the test Asterisk's database (AstDB), read with its CLI; undefined when absent. */
export function astdbValue(family: string, key: string): string | undefined {
  return /^Value: (.*)$/m.exec(asteriskScript(['cli', `database get ${family} ${key}`]))?.[1]?.trim();
}
