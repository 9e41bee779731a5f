/** Injection token for what the process resolved before Nest started (see database/runtime.ts). */
export const RUNTIME = Symbol('RUNTIME');

export interface RuntimeSettings {
  databaseUrl: string;
  jwtSecret: string;
  /** Whether this process consumes jobs (the worker, or the API when jobs run in-process). */
  consumeJobs: boolean;
}
