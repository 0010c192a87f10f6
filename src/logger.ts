import SonicBoom from 'sonic-boom';
import winston from 'winston';
import TransportStream from 'winston-transport';

export type Logger = winston.Logger;

/** The log and the way to write out what it still holds before the process ends. */
export interface LogOutput {
  readonly log: Logger;
  /** Writes out every buffered line, then resolves (an orderly stop). */
  close(): Promise<void>;
}

/**
 * JSON lines on stdout, one event per line; a call's lines carry its `call` id. Never a PIN.
 * Lines are written from libuv's thread pool (sonic-boom): a slow reader of the log (a full
 * pipe, a busy journald) holds back the log, never the calls. A write refused with EAGAIN
 * (stdout made non-blocking by whoever shares it) is tried again, not dropped.
 */
export function createLogger(level: string): LogOutput {
  const destination = new SonicBoom({ fd: 1, sync: false });
  const log = winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new LineTransport(destination)],
  });
  let closed = false;
  // A crash still leaves its last lines in the log.
  process.once('exit', () => {
    if (!closed) destination.flushSync();
  });
  return {
    log,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        destination.once('close', () => resolve());
        destination.end();
      }),
  };
}

/** winston's formatted line (under triple-beam's MESSAGE symbol), handed to sonic-boom's buffer. */
const MESSAGE = Symbol.for('message');

class LineTransport extends TransportStream {
  constructor(private readonly destination: SonicBoom) {
    super();
  }

  override log(info: Record<symbol, unknown>, next: () => void): void {
    this.destination.write(`${String(info[MESSAGE])}\n`);
    next();
  }
}
