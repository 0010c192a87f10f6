import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * A process's CPU time in ms (user and system, all its threads, the ones that have exited too),
 * as /proc/PID/stat counts it: in kernel ticks (10 ms here), so a figure over a storm is good
 * to a tick or two.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After "pid (comm) ": field 3 (state) on; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * A process's CPU time in ms, to the microsecond: the time on a CPU of each of its live threads
 * (/proc/PID/task/TID/schedstat, in ns). A thread that exits takes its time with it, so this
 * is for a window in which the process keeps its threads (a Node process: its main thread,
 * libuv's pool and V8's workers); Asterisk, whose call threads come and go, is read in ticks.
 */
export function threadsCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}
