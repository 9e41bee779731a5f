import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HttpResult {
  route: string;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  peakRssMb?: number;
  db?: { statement: string; share: number }[];
}

export interface LoadSpec {
  url: string;
  token: string;
  paths: string[];
  connections: number;
  seconds: number;
  scratch: string;
}

/**
 * Runs autocannon in a child process (load.ts), so that the client does not share the server's
 * event loop, and answers its figures.
 */
export async function runLoad(spec: LoadSpec): Promise<Omit<HttpResult, 'route'>> {
  const file = join(spec.scratch, `load-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(spec));
  const child = fork(fileURLToPath(new URL('./load.js', import.meta.url)), [file], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: Omit<HttpResult, 'route'> | undefined;
    child.on('message', (message) => {
      result = message as Omit<HttpResult, 'route'>;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`load child exited with ${code}`))));
  });
}
