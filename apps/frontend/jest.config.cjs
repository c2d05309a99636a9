// @ts-check
/**
 * Component tests in jsdom with React Testing Library. SWC compiles TS/TSX (React's automatic runtime) and the few
 * ESM-only dependencies (typebox, via @todo-stack/shared) to CommonJS; CSS modules resolve to their class names.
 */
const swc = [
  '@swc/jest',
  {
    swcrc: false,
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'frontend',
  // A render of 120 tasks with several awaited updates took over Jest's 5 s default on a loaded 2-core machine
  // (CI's cold run builds Go beside the tests). A guard against hangs, not a speed check.
  testTimeout: 30_000,
  testEnvironment: '<rootDir>/specs/support/jsdom-environment.cjs',
  transform: { '^.+\\.(m?[jt]sx?)$': swc },
  transformIgnorePatterns: ['/node_modules/(?!typebox/)'],
  moduleNameMapper: {
    // The `@/` import alias of tsconfig.json's paths (Next resolves it itself).
    '^@/(.*)$': '<rootDir>/src/$1',
    '\\.module\\.css$': '<rootDir>/specs/support/css-module.cjs',
    '\\.css$': '<rootDir>/specs/support/css-module.cjs',
    // libs/shared imports './x.js' (Node ESM); the files on disk are .ts.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/specs/**/*.spec.ts?(x)'],
  setupFiles: ['<rootDir>/specs/support/polyfills.cjs'],
  setupFilesAfterEnv: ['<rootDir>/specs/support/setup.ts'],
  coverageDirectory: 'test-output/jest/coverage',
};
