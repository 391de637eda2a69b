/** Tests run against real etcd members started by src/testing; see README "Tests". */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testTimeout: 120000,
  // Real clusters are CPU-hungry; on a 2-core machine one test file at a time keeps timing honest.
  maxWorkers: 1,
  // etcd-rx/browser is ES modules, whose relative imports name the compiled `.js` file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
};
