// @ts-check
const { readFileSync } = require('node:fs');

// SWC compiles the specs; it reads .spec.swcrc here instead of looking for .swcrc files.
const swcJestConfig = { ...JSON.parse(readFileSync(`${__dirname}/.spec.swcrc`, 'utf-8')), swcrc: false };

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'shared',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  // typebox ships ESM only, so specs run as native ES modules (the test target sets --experimental-vm-modules).
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcJestConfig],
  },
  // Sources import './x.js' (Node ESM); the files on disk are .ts.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  coverageDirectory: 'test-output/jest/coverage',
};
