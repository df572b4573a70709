/**
 * A small structured logger. Services receive one as an argument; the default is silent.
 * Commands connect it to stderr (JSON lines) so that stdout stays the job's own output.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogFields = Readonly<Record<string, unknown>>;

/** What every service accepts for diagnostics. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const levelRank: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 99,
};

/** Field names whose values are never written, whatever the caller passes. */
const secretField = /secret|password|token|credential|authorization|session|signature|accesskey/i;

/** Replace anything that looks like a credential by a marker. */
export function redactFields(fields: LogFields): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    clean[key] = secretField.test(key) ? '[redacted]' : value;
  }

  return clean;
}

/** A logger that drops everything: the default for services and tests. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A logger writing one JSON object per line to the given sink (stderr or a file). */
export function createJsonLogger(
  write: (line: string) => void,
  level: LogLevel = 'warn',
  now: () => Date = () => new Date(),
): Logger {
  const threshold = levelRank[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (levelRank[lvl] < threshold) return;
    const record = {
      time: now().toISOString(),
      level: lvl,
      msg: message,
      ...redactFields(fields ?? {}),
    };
    write(`${JSON.stringify(record)}\n`);
  };

  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}
