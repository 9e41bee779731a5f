import pino, { type Logger } from 'pino';
import { LOG_LEVELS, type LogLevel } from '../config/app-config.js';

/**
 * The logger of the lines a process writes before Nest's own exists (embedded database, migrations)
 * and after it is gone (the stop): the same JSON lines on stdout as every other log line.
 */
export function bootLogger(context: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const level = LOG_LEVELS.includes(env.LOG_LEVEL as LogLevel) ? (env.LOG_LEVEL as LogLevel) : 'info';
  return pino({ level, base: { pid: process.pid, context } });
}
