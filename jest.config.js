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
  // Jest's default is one worker fewer than the cores, which is one on a 2-core machine. The slow tests mostly wait
  // on stacks in other processes, so two workers at least: each runs its stacks on ports of its own.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
  projects: [
    tier('unit'),
    tier('statemachines'),
    tier('infra'),
    tier('engine'),
    tier('e2e'),
    tier('browser'),
  ],
};
