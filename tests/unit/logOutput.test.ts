import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const LINES = 3000;

/** A process that logs LINES lines (about 300 KB, far past a pipe's 64 KB), says so on stderr, then stops in order. */
const LOGGING_PROCESS = `
const { createLogger } = require('./src/logger');
const { log, close } = createLogger('info');
for (let i = 0; i < ${LINES}; i++) log.info('joined', { call: 'c' + i, event: 'joined', room: '200', others: i });
process.stderr.write('logged\\n');
void close(Date.now() + 10000).then(() => process.exit(0));
`;

/** A process that logs one line, then stays up, as a quiet server does. */
const LONE_LINE_PROCESS = `
const { createLogger } = require('./src/logger');
createLogger('info').log.info('joined', { call: 'c1', event: 'joined' });
setInterval(() => undefined, 1000);
`;

/** A process that logs LINES lines, then exits at once, without an orderly stop. */
const EXITING_PROCESS = `
const { createLogger } = require('./src/logger');
const { log } = createLogger('info');
for (let i = 0; i < ${LINES}; i++) log.info('joined', { call: 'c' + i, event: 'joined', room: '200', others: i });
process.exit(0);
`;

describe('log output', () => {
  it('a reader that does not read holds back the log, not the app; every line arrives once it reads', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', LOGGING_PROCESS], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pause();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // With stdout written synchronously the process would block at the full pipe and never get here.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', () => stderr.includes('logged') && resolve());
      child.on('exit', (code) => reject(new Error(`exited ${code} before logging all: ${stderr}`)));
    });

    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdout.resume();
    // 'close': the process has exited and its stdout is read to the end.
    const [code] = await once(child, 'close');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { call: string; event: string });
    expect(lines).toHaveLength(LINES);
    expect(lines.at(-1)).toMatchObject({ call: `c${LINES - 1}`, event: 'joined' });
  }, 30000);

  it('a lone line reaches the reader within moments, while the process goes on', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', LONE_LINE_PROCESS], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      expect(JSON.parse(chunk.toString())).toMatchObject({ call: 'c1', event: 'joined', level: 'info', message: 'joined' });
    } finally {
      child.kill();
    }
  }, 30000);

  it('a process exits, even while its reader reads nothing (what is left of the log is dropped after a moment)', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', EXITING_PROCESS], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.pause();
    let timer: NodeJS.Timeout | undefined;
    try {
      const [code] = await Promise.race([
        once(child, 'exit'),
        new Promise<unknown[]>((resolve) => (timer = setTimeout(() => resolve(['still running after 15 s']), 15000))),
      ]);
      expect(code).toBe(0);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  }, 30000);
});
