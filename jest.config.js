/**
 * Nest 12 ships as ES modules, so Jest runs in its native ESM mode (`npm test` passes
 * --experimental-vm-modules) with ts-jest emitting ESM.
 *
 * Four tiers, one Jest project each (ARCHITECTURE.md, "Test tiers"):
 * - unit: pure code and services with fakes (src/**, test/scenarios): no database, no Redis, no build;
 * - integration: services, SQL and processes on real PostgreSQL (test/integration);
 * - e2e: the HTTP API in process, as main.ts configures it (test/e2e);
 * - browser: the built service driven by Chromium through the console (test/browser).
 * `npm test` runs them all in one Jest run (the slowest files first, over both cores); `npm run
 * test:unit` and the others run one tier. Only the tiers with a database name the global setup, so
 * the unit tier starts no PostgreSQL. Every database file gets its own database, cloned from a
 * migrated template (test/setup), so files run in parallel against one real PostgreSQL.
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // A cache of this checkout's own: Jest's default (/tmp/jest_*) is shared by every checkout on the
  // machine, and a transform cached for another checkout's sources once made AppModule vanish.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};

/** One template database for the whole run: Jest runs a setup module once however many projects name it. */
const withDatabase = {
  ...shared,
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/scenarios/**/*.spec.ts'],
    },
    { ...withDatabase, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts'] },
    { ...withDatabase, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
    { ...withDatabase, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'] },
  ],
  testTimeout: 120000,
  maxWorkers: process.env.JEST_WORKERS ?? 2,
};
