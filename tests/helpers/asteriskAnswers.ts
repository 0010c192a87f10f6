import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { asteriskEnv, asteriskScript, ROOT } from '../../harness/testEnv';

/** How long the test Asterisk has to answer ARI before it counts as hung. */
const ANSWER_TIMEOUT_MS = 5000;

async function ariAnswers(): Promise<boolean> {
  const { ARI_URL, ARI_USER, ARI_PASSWORD } = asteriskEnv();
  try {
    const answer = await fetch(`${ARI_URL}/ari/asterisk/info`, {
      headers: { authorization: `Basic ${Buffer.from(`${ARI_USER}:${ARI_PASSWORD}`).toString('base64')}` },
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    return answer.ok;
  } catch {
    return false;
  }
}

/** A diagnostic from the test Asterisk, or why none came (a hung Asterisk may not answer its CLI either). */
function diagnostic(args: string[]): string {
  try {
    return execFileSync(join(ROOT, 'scripts', 'asterisk.sh'), args, { cwd: ROOT, encoding: 'utf8', timeout: 10000, stdio: 'pipe' });
  } catch (error) {
    return `(scripts/asterisk.sh ${args.join(' ')} gave nothing: ${String(error).split('\n')[0]})`;
  }
}

/**
 * Before each test file: a test Asterisk that stopped answering during an earlier file (hung or
 * dead) is shown (its last log lines, its task queues) and started again, so that one hang fails
 * the file it happened in, not every file after it. The file it happened in has failed already.
 */
async function restartAsteriskIfHung(): Promise<void> {
  if (await ariAnswers()) return;
  const logs = diagnostic(['logs']).split('\n').slice(-60).join('\n');
  const queues = diagnostic(['cli', 'core show taskprocessors']);
  console.error(`the test Asterisk does not answer ARI within ${ANSWER_TIMEOUT_MS} ms: restarting it.
--- its last log lines ---
${logs}
--- core show taskprocessors ---
${queues}`);
  asteriskScript(['restart'], { inherit: true });
}

// Registered for every integration test file (jest.config.js, setupFilesAfterEnv), ahead of its own hooks.
beforeAll(restartAsteriskIfHung, 120000);
