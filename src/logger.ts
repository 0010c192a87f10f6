import winston from 'winston';

/** JSON lines on stdout, one event per line; a call's lines carry its `call` id. Never a PIN. */
export function createLogger(level: string): winston.Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

export type Logger = winston.Logger;
