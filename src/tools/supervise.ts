import { ChildProcess, spawn } from 'node:child_process';
import { RestartBackoff } from './restartBackoff';

/**
 * `make run`'s supervisor: `node dist/src/tools/supervise.js <command> [args...]` runs the
 * command (the app) and starts it again when it dies, after the waits of RestartBackoff. A stop
 * signal goes to the app, which is then not started again; the other signals the app answers go
 * to it too. Its lines are JSON, like the app's.
 */

/** The app ends within 3 s of a stop signal (README); past that it is killed. */
const STOP_BUDGET_MS = 3000;
/** The app's exit status for settings it refused: starting it again would only refuse them again. */
const FILES_REFUSED = 2;
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** SIGHUP re-reads the settings and reopens the events log, SIGUSR1 reopens it, SIGUSR2 logs runtime stats. */
const PASSED_SIGNALS = ['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;

function logLine(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...fields, level, message, timestamp: new Date().toISOString() })}\n`);
}

function supervise(command: string, args: readonly string[]): void {
  const backoff = new RestartBackoff();
  let app: ChildProcess | undefined;
  let startedAt = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  const start = (): void => {
    restartTimer = undefined;
    startedAt = Date.now();
    // Its own process group: a terminal's Ctrl-C reaches the supervisor alone, which passes it on once.
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    app = child;
    child.once('error', (error) => {
      logLine('error', `could not start the app: ${error.message}`, { event: 'app-start-failed', command, error: error.message });
      process.exit(1);
    });
    if (child.pid !== undefined) logLine('info', 'app started', { event: 'app-started', pid: child.pid });
    child.once('exit', (code, signal) => exited(code, signal));
  };

  const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
    app = undefined;
    const ranSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
    const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
    if (stopping) process.exit(code ?? 1);
    if (code === FILES_REFUSED) {
      logLine('error', `the app ${how}: it refused its settings or its state file (its message says why); not starting it again`, {
        event: 'app-not-restarted',
        code,
      });
      process.exit(code);
    }
    const restart = backoff.afterExit(Date.now() - startedAt);
    const loop = restart.backedOff
      ? `; it died ${restart.inARow} times in a row, each within a minute: waiting ${restart.delayMs / 1000} s between starts`
      : '';
    logLine('error', `the app ${how} after ${ranSeconds} s; starting it again in ${restart.delayMs / 1000} s${loop}`, {
      event: 'app-restarting',
      code,
      signal,
      ranSeconds,
      delayMs: restart.delayMs,
      inARow: restart.inARow,
    });
    restartTimer = setTimeout(start, restart.delayMs);
  };

  const stop = (signal: NodeJS.Signals): void => {
    // make passes a signal on to its child as well: the app is asked once.
    if (stopping) return;
    stopping = true;
    if (restartTimer) {
      clearTimeout(restartTimer);
      process.exit(0);
    }
    app?.kill(signal);
    setTimeout(() => {
      logLine('error', `the app did not stop within ${STOP_BUDGET_MS / 1000} s of ${signal}; killing it`, { event: 'app-stop-timeout' });
      app?.kill('SIGKILL');
    }, STOP_BUDGET_MS).unref();
  };

  // A reader of the log that has gone (EPIPE) ends the supervisor's lines, not the supervision.
  process.stdout.on('error', () => undefined);
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  for (const signal of PASSED_SIGNALS) process.on(signal, () => app?.kill(signal));
  start();
}

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: node dist/src/tools/supervise.js <command> [args...]\n');
  process.exit(2);
}
supervise(command, args);
