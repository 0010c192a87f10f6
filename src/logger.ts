import { createWriteStream } from 'node:fs';
import winston from 'winston';

export type Logger = winston.Logger;

/**
 * JSON lines on stdout, one event per line; a call's lines carry its `call` id. Never a PIN.
 * Node writes to a piped stdout synchronously, so a slow reader of the log (journald, docker,
 * a busy parent) would stall every call; the lines go through an asynchronous file stream instead.
 */
export function createLogger(level: string): { log: Logger; close: () => Promise<void> } {
  const stdout = createWriteStream('', { fd: 1, autoClose: false });
  const log = winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: stdout })],
  });
  // Every line written before the process exits.
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      log.on('finish', () => stdout.end(resolve));
      log.end();
    });
  return { log, close };
}
