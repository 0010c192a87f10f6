/**
 * BENCH_BASELINE=<git revision>: the app as that revision builds it, for a side "app-baseline"
 * beside "app" in the same run, so that a change's effect is read against the same storms.
 * Built in a temporary git worktree with its own lockfile's packages and its own compiler.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../harness/testEnv';
import { progress } from './stormDriver';

export interface BaselineBuild {
  /** The revision's commit, in full. */
  readonly commit: string;
  /** The worktree: the app runs as `node dist/src/main.js` there. */
  readonly dir: string;
  remove(): void;
}

const run = (command: string, args: readonly string[], cwd: string): string =>
  // The tools' own output goes to stderr, with the storms' progress: stdout is the bench's results.
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 2] });

export function buildBaseline(revision: string): BaselineBuild {
  let commit: string;
  try {
    commit = run('git', ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], ROOT).trim();
  } catch {
    throw new Error(`BENCH_BASELINE: "${revision}" names no commit of this repository (a branch, tag or commit hash is expected)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'conference-baseline-'));
  const remove = (): void => void run('git', ['worktree', 'remove', '--force', dir], ROOT);
  try {
    progress(`building the baseline ${commit.slice(0, 12)} (${revision}) in ${dir}`);
    run('git', ['worktree', 'add', '--detach', dir, commit], ROOT);
    run('npm', ['ci', '--no-audit', '--no-fund'], dir);
    // tsconfig.build.json compiles src/ alone; a revision from before it compiles everything.
    const project = existsSync(join(dir, 'tsconfig.build.json')) ? 'tsconfig.build.json' : 'tsconfig.json';
    run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', project], dir);
    if (!existsSync(join(dir, 'dist', 'src', 'main.js')))
      throw new Error(`BENCH_BASELINE: the build of ${revision} made no dist/src/main.js`);
  } catch (error) {
    remove();
    throw error;
  }
  return { commit, dir, remove };
}
