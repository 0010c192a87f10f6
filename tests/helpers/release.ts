import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../harness/testEnv';

/** `make dist` as an admin runs it; resolves with the path of the artifact it printed last. */
export function makeDist(): string {
  // No make state of this process; -o node_modules: make would otherwise reinstall the packages this test runs on.
  const { MAKEFLAGS: _f, MFLAGS: _m, MAKELEVEL: _l, ...env } = process.env;
  const output = execFileSync('make', ['--no-print-directory', '-o', 'node_modules', 'dist'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return join(ROOT, output.trim().split('\n').at(-1)!);
}

/** The artifact unpacked in its own folder: the path of the one folder inside. */
export function unpack(artifact: string, into: string): string {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-C', into, '-xzf', artifact]);
  const name = execFileSync('tar', ['-tzf', artifact], { encoding: 'utf8' }).split('\n')[0]!.replace(/\/$/, '');
  return join(into, name);
}
