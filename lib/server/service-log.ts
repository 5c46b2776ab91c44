/**
 * The service's structured log, through pino: one JSON object per line, `{"level", "time",
 * ..., "event"}`. By default the lines go to stderr asynchronously (sonic-boom gathers what
 * arrives while a write is in flight into the next one), so a request no longer waits for its
 * log line to be written; `flush()` writes what is left at shutdown. A `log` function given in
 * the options (tests, an application embedding the service) gets each entry as an object, at once.
 */
import pino, { DestinationStream, Logger } from 'pino';

export interface LogEntry {
  time: string;
  level: 'info' | 'warn' | 'error';
  event: string;
  [field: string]: unknown;
}

export type LogLevel = LogEntry['level'];

export interface ServiceLog {
  write(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  /** Writes out what is buffered (the default destination), synchronously: called once the service has stopped. */
  flush(): void;
}

/** A destination that hands each line to `log` as an object. */
function callbackDestination(log: (entry: LogEntry) => void): DestinationStream {
  return { write: (line: string) => log(JSON.parse(line) as LogEntry) };
}

/**
 * The service's log, to `log` when given, else to stderr. `base` fields go into every entry
 * (a worker's number, so that N processes writing to one stderr can be told apart).
 */
export function serviceLog(log?: (entry: LogEntry) => void, base: Record<string, unknown> = {}): ServiceLog {
  const destination = log === undefined ? pino.destination({ dest: 2, sync: false }) : callbackDestination(log);
  const logger: Logger = pino({
    base,
    messageKey: 'event',
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
  return {
    write: (level, event, fields = {}) => logger[level](fields, event),
    flush: () => {
      if (log === undefined) (destination as ReturnType<typeof pino.destination>).flushSync();
    },
  };
}
