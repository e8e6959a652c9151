// Shared jest settings: every package's jest.config.cjs spreads this.
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': swc,
    // ESM-only dependencies (cookie 2, used by fastify's inject) are compiled to CommonJS for jest.
    '^.+/node_modules/cookie/.+\\.js$': swc,
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  // A hang guard, not a speed check: set-up hooks hash passwords with argon2id and start servers,
  // which on a loaded 2-core CI machine can take longer than jest's 5 s default.
  testTimeout: 30_000,
};
