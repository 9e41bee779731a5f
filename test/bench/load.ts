import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { LoadSpec } from './http.js';

/**
 * The autocannon child of the HTTP stage: random paths from the sample, one bearer token, N
 * connections for S seconds. Percentiles are computed from every response time (autocannon's own
 * histogram has no p95).
 */
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadSpec;
let seed = 0x9e3779b9;
const nextPath = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return spec.paths[seed % spec.paths.length];
};
const times: number[] = [];

let finish: (result: autocannon.Result) => void = () => undefined;
const done = new Promise<autocannon.Result>((resolve) => (finish = resolve));
const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    headers: { authorization: `Bearer ${spec.token}` },
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: nextPath() }) }],
  },
  (error, result) => {
    if (error) throw error;
    finish(result);
  },
);
instance.on('response', (_client, _status, _bytes, responseTime) => {
  times.push(responseTime);
});
const result = await done;
times.sort((a, b) => a - b);
const at = (p: number) =>
  times.length === 0 ? 0 : Number(times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1));
process.send!({
  requestsPerSecond: Number((times.length / spec.seconds).toFixed(1)),
  p50Ms: at(0.5),
  p95Ms: at(0.95),
  p99Ms: at(0.99),
  requests: times.length,
  non2xx: result.non2xx,
  errors: result.errors,
});
process.disconnect();
