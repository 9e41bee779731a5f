/**
 * Nest 12 ships as ES modules, so Jest runs in its native ESM mode (`npm test` passes
 * --experimental-vm-modules) with ts-jest emitting ESM.
 * Every test file gets its own database, cloned from a migrated template (test/setup), so files
 * run in parallel against one real PostgreSQL.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
  testTimeout: 120000,
  maxWorkers: process.env.JEST_WORKERS ?? 2,
  // A cache of this checkout's own: Jest's default (/tmp/jest_*) is shared by every checkout on the
  // machine, and a transform cached for another checkout's sources once made AppModule vanish.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
