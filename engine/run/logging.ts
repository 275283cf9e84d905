// The run's logger on every thread: k6's log lines, with the script's console lines told apart so
// that consoleOutput can send them elsewhere.
import { createLogger, type Logger } from '../runtime/thread.ts';

/** A logger whose console lines (source=console) can go elsewhere than the run's logs (consoleOutput). */
export function consoleAwareLogger(write: (line: string, fromConsole: boolean) => void, quietDebug = true): Logger {
  const logs = createLogger((line) => write(line, false));
  const consoleLines = createLogger((line) => write(line, true), quietDebug);
  return {
    log: (level, message, fields) => (fields?.source === 'console' ? consoleLines : logs).log(level, message, fields),
    once: (key, level, message) => logs.once(key, level, message),
  };
}
