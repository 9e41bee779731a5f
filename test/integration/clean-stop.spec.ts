import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-root.js';

/**
 * The newcomer's `npm start` (nothing configured: embedded PostgreSQL, in-process jobs) stops
 * cleanly on SIGTERM and on SIGINT: exit status 0, the embedded server stopped, JSON log lines only.
 */
describe('npm start stops cleanly', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yikatong-stop-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function startAndStop(signal: NodeJS.Signals) {
    const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'main.js')], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const deadline = Date.now() + 90_000;
    while (!out.includes('Yikatong API on')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill(signal);
    const [code] = await exited;
    return { code, lines: out.trim().split('\n') };
  }

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: exit 0, embedded PostgreSQL stopped, JSON lines',
    async (signal) => {
      const { code, lines } = await startAndStop(signal);
      expect(code).toBe(0);
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg); // every line is JSON
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringContaining(`${signal}: stopping`),
          'embedded PostgreSQL stopped',
          'stopped',
        ]),
      );
    },
    120_000,
  );
});
