/**
 * BENCH_BASELINE=<git revision> (`make bench`), BENCH_SIP_BASELINE (`make bench-sip`): the app as
 * that revision builds it, for a side "app-baseline" beside "app" in the same run, so that a
 * change's effect is read against the same callers. Built in a temporary git worktree with its
 * own lockfile's packages and its own compiler.
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

/**
 * The sides that take turns: those named, and app-baseline right after app when a baseline is set.
 * `variables` names the settings, for the messages.
 */
export function withBaselineSide<Side extends string>(
  named: readonly Side[],
  baseline: boolean,
  variables: { sides: string; baseline: string },
): Side[] {
  const side = 'app-baseline' as Side;
  if (!baseline && named.includes(side))
    throw new Error(`${variables.sides} names app-baseline: set ${variables.baseline} to the git revision of the app to compare with`);
  if (!baseline || named.includes(side)) return [...named];
  const app = named.indexOf('app' as Side);
  return app < 0 ? [...named, side] : [...named.slice(0, app + 1), side, ...named.slice(app + 1)];
}

/** Builds the revision that `variable` (BENCH_BASELINE, BENCH_SIP_BASELINE) names. */
export function buildBaseline(revision: string, variable: string): BaselineBuild {
  let commit: string;
  try {
    commit = run('git', ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], ROOT).trim();
  } catch {
    throw new Error(`${variable}: "${revision}" names no commit of this repository (a branch, tag or commit hash is expected)`);
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
    if (!existsSync(join(dir, 'dist', 'src', 'main.js'))) throw new Error(`${variable}: the build of ${revision} made no dist/src/main.js`);
  } catch (error) {
    remove();
    throw error;
  }
  return { commit, dir, remove };
}
