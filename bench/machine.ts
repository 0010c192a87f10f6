import { cpus } from 'node:os';
import { asteriskScript } from '../harness/testEnv';

/** What a benchmark's figures were measured on, written beside them. */
export interface Machine {
  cpus: number;
  cpu: string;
  node: string;
  asterisk: string;
  date: string;
}

/** `showVersion`: the Asterisk's `core show version` (the test instance's when not given). */
export function machineFacts(showVersion: () => string = () => asteriskScript(['cli', 'core show version'])): Machine {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    asterisk: showVersion().trim().split('\n')[0] ?? 'unknown',
    date: new Date().toISOString(),
  };
}
