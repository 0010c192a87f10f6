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

export interface AsteriskEnv {
  ARI_URL: string;
  ARI_USER: string;
  ARI_PASSWORD: string;
  SIP_PORT: string;
  SIP_PASSWORD: string;
}

/** Runs scripts/asterisk.sh for the test instance. */
export function asteriskScript(args: string[], options: { inherit?: boolean } = {}): string {
  return (
    execFileSync(join(ROOT, 'scripts', 'asterisk.sh'), args, {
      cwd: ROOT,
      env: scriptEnv(),
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
function scriptEnv(): NodeJS.ProcessEnv {
  const { ARI_URL: _u, ARI_USER: _n, ARI_PASSWORD: _p, ...env } = process.env;
  return { ...env, ...TEST_INSTANCE };
}

/** This process's environment plus the test Asterisk's ARI credentials: for a child that talks to ARI. */
export function withAriCredentials(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = asteriskEnv();
  return { ...process.env, ...extra, ARI_URL: env.ARI_URL, ARI_USER: env.ARI_USER, ARI_PASSWORD: env.ARI_PASSWORD };
}

let cached: AsteriskEnv | undefined;

/** Credentials and ports of the running test Asterisk (scripts/asterisk.sh env). */
export function asteriskEnv(): AsteriskEnv {
  if (cached) return cached;
  const values = parseEnvOutput(asteriskScript(['env']));
  for (const key of ['ARI_URL', 'ARI_USER', 'ARI_PASSWORD'] as const) {
    if (!values[key]) throw new Error(`scripts/asterisk.sh env did not print ${key}`);
  }
  cached = values as unknown as AsteriskEnv;
  return cached;
}

/** A value in the test Asterisk's database (AstDB), read with its CLI; undefined when absent. */
export function astdbValue(family: string, key: string): string | undefined {
  return /^Value: (.*)$/m.exec(asteriskScript(['cli', `database get ${family} ${key}`]))?.[1]?.trim();
}
