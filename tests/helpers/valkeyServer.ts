import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ROOT } from '../../harness/testEnv';
import { parseEnvOutput } from '../../src/tools/asteriskEnv';

/** The test Valkey sits beside the test Asterisk, on its own port (make down-test stops both). */
const TEST_VALKEY: NodeJS.ProcessEnv = {
  VALKEY_INSTANCE: process.env.TEST_ASTERISK_INSTANCE ?? 'test',
  VALKEY_PORT: process.env.TEST_VALKEY_PORT ?? '16379',
};

export interface TestValkey {
  readonly url: string;
  readonly password: string;
  /** A client of its own, for a test that plays another node or reads what the app stored. */
  client(): Redis;
}

let started: TestValkey | undefined;

/** Starts the test Valkey once per test file (scripts/valkey.sh up; it stays up for the next). */
export function testValkey(): TestValkey {
  if (started) return started;
  const script = join(ROOT, 'scripts', 'valkey.sh');
  const env = { ...process.env, ...TEST_VALKEY };
  execFileSync(script, ['up'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const values = parseEnvOutput(execFileSync(script, ['env'], { cwd: ROOT, env, encoding: 'utf8' }));
  const url = values.CONFERENCE_STORE_URL!;
  const password = values.CONFERENCE_STORE_PASSWORD!;
  started = { url, password, client: () => new Redis(url, { password }) };
  return started;
}

/** Keys of one test alone: the stores under test write below it. */
export function freshPrefix(): string {
  return `test-${randomUUID().slice(0, 8)}:`;
}
