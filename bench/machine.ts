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

export function machineFacts(): Machine {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    asterisk: asteriskScript(['cli', 'core show version']).trim().split('\n')[0] ?? 'unknown',
    date: new Date().toISOString(),
  };
}
