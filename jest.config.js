// Each tier is a jest project so one can be run alone: `npx jest --selectProjects engine`.
const tier = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/infra/local/quiet-sdk-warning.ts'],
  ...extra,
});

module.exports = {
  projects: [
    tier('unit'),
    tier('statemachines'),
    tier('infra'),
    tier('engine'),
    tier('e2e'),
    tier('browser'),
  ],
};
