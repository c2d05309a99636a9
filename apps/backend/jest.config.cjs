// @ts-check
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');

const swcJestConfig = { ...JSON.parse(readFileSync(`${__dirname}/.spec.swcrc`, 'utf-8')), swcrc: false };

/** @type {import('jest').Config} */
const base = {
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  // better-auth, typebox and others ship ESM only: tests run as native ES modules
  // (the test target sets --experimental-vm-modules).
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcJestConfig],
    // CommonJS dependencies that require() ESM-only packages (Node allows it; Jest's own module loader only
    // from Node 24.9): compile those few to CommonJS. SWC emits ESM or CJS as Jest asks for each load.
    '^.+/node_modules/(cookie|content-disposition)/.+\\.js$': ['@swc/jest', { swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** PostgreSQL is there when a URL is given or Debian's server binaries are installed. */
const postgresAvailable =
  Boolean(process.env.TEST_POSTGRES_URL || process.env.PG_BIN_DIR) ||
  (existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').length > 0);

if (!postgresAvailable) {
  if (process.env.CI) throw new Error('CI needs PostgreSQL for the backend suite: apt-get install postgresql.');
  console.warn(
    '\n[backend tests] PostgreSQL not found: running the API suite on PGlite only. Install PostgreSQL or set TEST_POSTGRES_URL to run it against a real server too.\n',
  );
}

/**
 * The same API suite runs twice: on embedded PGlite (fast, the `npm start` default) and on a real
 * PostgreSQL server (what production runs). Process-level tests (shutdown, outages) run on PostgreSQL.
 */
/** @type {import('jest').Config} */
module.exports = {
  // Integration tests open databases and sign users up (scrypt): allow more than Jest's 5 s.
  testTimeout: 30_000,
  // Files mostly wait on a database (a server, or PGlite's WebAssembly between queries): one worker more
  // than there are cores keeps both busy. Jest's default on 2 cores is one worker, which runs every file
  // in turn. (Jest reads a percentage above 100% as a count, hence the arithmetic.)
  maxWorkers: Number(process.env['JEST_MAX_WORKERS'] ?? availableParallelism() + 1),
  coverageDirectory: 'test-output/jest/coverage',
  projects: [
    {
      ...base,
      displayName: 'backend (pglite)',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
      // A real server process and a real network outage need a real PostgreSQL.
      testPathIgnorePatterns: ['<rootDir>/test/server/', '<rootDir>/test/db/outage.test.ts'],
      setupFiles: ['<rootDir>/test/setup/pglite.ts'],
    },
    ...(postgresAvailable
      ? [
          {
            ...base,
            displayName: 'backend (postgres)',
            testMatch: ['<rootDir>/test/**/*.test.ts'],
            // Pure unit tests don't touch the database: once is enough.
            testPathIgnorePatterns: ['<rootDir>/test/config.test.ts', '<rootDir>/test/app/patterns.test.ts'],
            setupFiles: ['<rootDir>/test/setup/postgres.ts'],
            globalSetup: '<rootDir>/test/setup/postgres-global-setup.ts',
            globalTeardown: '<rootDir>/test/setup/postgres-global-teardown.ts',
          },
        ]
      : []),
  ],
};
