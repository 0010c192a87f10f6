import { configure } from 'safe-stable-stringify';
import SonicBoom from 'sonic-boom';
import winston from 'winston';
import TransportStream from 'winston-transport';
import { LineBatch } from './util/lineBatch';

export type Logger = winston.Logger;

/** The log and the way to write out what it still holds before the process ends. */
export interface LogOutput {
  readonly log: Logger;
  /**
   * Writes out every buffered line, then resolves (an orderly stop); by `deadline` (a Date.now()
   * time) at the latest, dropping what a reader that takes nothing has left.
   */
  readonly close: (deadline: number) => Promise<void>;
}

/**
 * How long a line may wait for others to share its write, and how many bytes make a write
 * anyway. Each write is a trip through libuv's thread pool, a third of a lone line's cost here;
 * in a join storm lines come every fraction of a millisecond (docs/DECISIONS.md, "Joins and the log under load").
 */
const BATCH_MS = 20;
const BATCH_BYTES = 16 * 1024;
/**
 * At an exit without an orderly stop (a crash), how long a reader that takes nothing may hold the
 * process before the rest of the log is dropped.
 */
const EXIT_FLUSH_MS = 1000;

/**
 * JSON lines on stdout, one event per line; a call's lines carry its `call` id. Never a PIN.
 * Lines are written from libuv's thread pool (sonic-boom): a slow reader of the log (a full
 * pipe, a busy journald) holds back the log, never the calls. A write refused with EAGAIN
 * is tried again, not dropped. Lines go out together, at most BATCH_MS after they were logged,
 * and at a stop or exit, for a bounded time: a process must end even when its reader does not
 * read. A reader that has gone (EPIPE) ends the log, not the app.
 */
export function createLogger(level: string): LogOutput {
  let giveUpAt = Infinity;
  // Through process.stdout, which Node opens non-blocking when it is a pipe or a socket: a full
  // one answers EAGAIN, where a blocking write would hold a thread-pool thread that the process's
  // exit then waits for, for as long as the reader does not read.
  const destination = new SonicBoom({ fd: process.stdout.fd, sync: false, retryEAGAIN: () => Date.now() < giveUpAt });
  // The reader has gone, or took nothing until the deadline: what is left of the log is dropped.
  let ended = false;
  destination.on('error', () => (ended = true));
  const output = {
    write: (text: string): void => {
      if (!ended) destination.write(text);
    },
  };
  const batch = new LineBatch(output, BATCH_MS, BATCH_BYTES);
  const log = winston.createLogger({ level, format: jsonLine(), transports: [new LineTransport(batch)] });
  let closed = false;
  // A crash still leaves its last lines in the log.
  process.once('exit', () => {
    if (closed || ended) return;
    batch.flush();
    giveUpAt = Date.now() + EXIT_FLUSH_MS;
    try {
      destination.flushSync();
    } catch {
      // The reader has gone, or took nothing for EXIT_FLUSH_MS.
    }
  });
  return {
    log,
    close: (deadline) =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        batch.flush();
        if (ended) return resolve();
        giveUpAt = deadline;
        destination.once('close', () => resolve());
        destination.once('error', () => resolve());
        destination.end();
      }),
  };
}

/** winston's formatted line is kept under triple-beam's MESSAGE symbol. */
const MESSAGE = Symbol.for('message');

/** Circular references and odd values never throw; keys stay in the order they were given (no sorting per line). */
const stringify = configure({ deterministic: false });

/**
 * The line: the fields, level and message, then the time. One format, its JSON writer set up
 * once: winston's `combine(timestamp(), json())` runs two and sets one up for every line.
 */
const jsonLine = winston.format((info) => {
  info.timestamp = new Date().toISOString();
  (info as Record<symbol, unknown>)[MESSAGE] = stringify(info);
  return info;
});

class LineTransport extends TransportStream {
  constructor(private readonly batch: LineBatch) {
    super();
  }

  override log(info: Record<symbol, unknown>, next: () => void): void {
    this.batch.add(`${String(info[MESSAGE])}\n`);
    next();
  }
}
