// Two projects: pure unit tests (parallel) and integration tests against the
// real Asterisk (serial: one conference app may hold the Stasis app name at a time).
const tsJest = { '^.+\\.ts$': ['ts-jest', { diagnostics: { warnOnly: false } }] };
module.exports = {
  // Real calls take seconds; a performance goal is never a test timeout (see make bench).
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/globalSetup.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/asteriskAnswers.ts'],
      slowTestThreshold: 30,
    },
  ],
};
