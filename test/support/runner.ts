import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-root.js';
import type { TestApp } from './app.js';

/**
 * A job runner in a process of its own, started from the compiled service as an operator starts it:
 * `dist/src/worker.js` when jobs go through Redis, `dist/src/main.js` (the API, which then runs jobs
 * itself) when they do not. Crash drills kill it with SIGKILL, which no code of ours can intercept.
 */
export class RunnerProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly t: TestApp,
    private readonly env: Record<string, string>,
  ) {}

  /** A worker on Redis, unless REDIS_URL is empty for this runner or for the test. */
  get bull(): boolean {
    return Boolean(this.env.REDIS_URL ?? this.t.config.REDIS_URL);
  }

  start(): void {
    if (this.child) throw new Error('runner already started');
    const script = join(projectRoot(), 'dist', 'src', this.bull ? 'worker.js' : 'main.js');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_RUNNER_LOG_LEVEL ?? 'warn',
      DATABASE_URL: this.t.database.url,
      JWT_SECRET: this.t.config.JWT_SECRET,
      QUEUE_PREFIX: this.t.config.QUEUE_PREFIX,
      PORT: '0',
      DB_POOL_SIZE: '4',
      ...(this.t.config.REDIS_URL ? { REDIS_URL: this.t.config.REDIS_URL } : {}),
      ...this.env,
    };
    if (!env.REDIS_URL) delete env.REDIS_URL;
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
  }

  /** Kills the process at once, as a crash or `kill -9` would, and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Asks the process to stop (SIGTERM, as an orchestrator does) and answers its exit code. */
  async terminate(): Promise<number | null> {
    const child = this.child;
    this.child = undefined;
    if (!child) throw new Error('runner not started');
    if (child.exitCode !== null) return child.exitCode;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const [code] = await exited;
    return code;
  }

  /** The last lines the process wrote, for a failing assertion's message. */
  log(): string {
    return this.output;
  }
}
