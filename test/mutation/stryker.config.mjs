// StrykerJS over the three packages' sources, driven by their unit tests (plus the integration
// files a module is only tested by). `npm run mutate`; not part of `npm test`. Incremental: the
// committed test/mutation/stryker-incremental.json lets a re-run test only what changed.
/**
 * What to mutate. MUTATE_PACKAGES=shared,api takes whole packages (their summary rows are saved);
 * MUTATE=glob,glob narrows a run to some modules, MUTATE_TESTS=glob,glob to some test files
 * (printed only, nothing saved).
 */
const everything = [
  'packages/shared/src/**/*.ts',
  'packages/imds-cache/src/**/*.ts',
  'packages/api/src/**/*.ts',
  'packages/api/src/**/*.tsx',
  // Not product code, or only markup: test helpers, fixtures, entry points, views.
  '!packages/*/src/**/*.test.ts',
  '!packages/*/src/**/*.test.tsx',
  '!packages/*/src/**/*.fixture.ts',
  '!packages/*/src/**/fake-*.ts',
  '!packages/*/src/index.ts',
  '!packages/*/src/main.ts',
  '!packages/api/src/views/**',
];

/** The unit tests of the packages in the run, and the integration files some modules need. */
function testFiles() {
  const wanted = process.env.MUTATE_PACKAGES?.split(',') ?? ['shared', 'imds-cache', 'api'];
  const files = wanted.flatMap((name) => [
    `packages/${name}/src/**/*.test.ts`,
    `packages/${name}/src/**/*.test.tsx`,
  ]);
  // The daemon's request path (server, guard, single flight) is pinned by real-socket tests.
  if (wanted.includes('imds-cache')) {
    files.push(
      'test/integration/imds-cache-serve.test.ts',
      'test/integration/imds-cache-guard.test.ts',
      'test/integration/imds-cache-upstream.test.ts',
    );
  }
  return files;
}

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner', '@stryker-mutator/typescript-checker'],
  checkers: ['typescript'],
  tsconfigFile: 'test/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: process.env.MUTATE
    ? process.env.MUTATE.split(',')
    : everything.filter((glob) => {
        const name = /^packages\/([^/*]+)\//.exec(glob)?.[1];
        const wanted = process.env.MUTATE_PACKAGES?.split(',');
        return !wanted || !name || wanted.includes(name);
      }),
  tap: {
    testFiles: process.env.MUTATE_TESTS ? process.env.MUTATE_TESTS.split(',') : testFiles(),
    // Plain node on the .js that transpile.mjs wrote beside each .ts: no loader hooks per module.
    nodeArgs: ['-r', '{{hookFile}}', 'test/mutation/run-compiled.mjs', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  // Two cores shared with others: one test process at a time.
  concurrency: 1,
  timeoutMS: 20_000,
  // The first run starts every test file once, on a machine shared with others.
  dryRunTimeoutMinutes: 40,
  // Once per sandbox, after the sources are instrumented: .js beside every .ts (see transpile.mjs).
  buildCommand: 'node test/mutation/transpile.mjs',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['.local', '.tap', 'coverage', 'test/load/results', 'reports', '.stryker-tmp'],
  reporters: ['json', 'progress', 'clear-text'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
};
