/** Three speeds: pure unit tests, medium tests on a real Redis, end-to-end with real clients. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: [`<rootDir>/test/${name}/**/*.spec.ts`],
  ...extra,
});

module.exports = {
  projects: [project('unit'), project('medium'), project('e2e')],
  testTimeout: 60_000,
};
