// @ts-check
const { readFileSync } = require('node:fs');

// SWC compiles the specs; it reads .spec.swcrc here instead of looking for .swcrc files.
const swcJestConfig = {
  ...JSON.parse(readFileSync(`${__dirname}/.spec.swcrc`, 'utf-8')),
  swcrc: false,
};

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'nx-plugin',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcJestConfig],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: 'test-output/jest/coverage',
};
