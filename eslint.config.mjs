import tseslint from 'typescript-eslint';

// The layers the design states, kept true by lint: transport → resilience → services → facade,
// with the CLI on the public API only. `regex` is matched against the import path as written.
// The CLI is a user of the library like any other: it sees what the package exports.
// ids.ts (decimal and hexadecimal ids) is a neutral formatting helper, not client machinery.
const publicApiOnly = { regex: '^\\.\\./(?!index$|ids$)', message: 'cli/ uses only the public API: import from ../index.' };
// One call, stream or socket to one endpoint knows nothing of choosing endpoints or retrying.
const belowResilience = { regex: '^\\.\\./resilience(/|$)', message: 'transport/ must not import resilience/: failover sits above the transport.' };
// Services are built by composition.ts and used by the facade; they never reach back up to it.
const belowFacade = {
  regex: '^(\\.\\./)+(client|composition|index)$',
  message: 'services must not import the facade (client.ts), the composition root or the package index.',
};
// Every request, stream and socket goes down the one chain (pipeline/), so only the pipeline's
// wire sends anything: no other module imports the transport's senders (their types are fine).
const wireOnlyInPipeline = {
  regex: '^(\\.\\./|\\./)+transport/(http-call|http-stream|grpc-unary|ws-channel)$',
  allowTypeImports: true,
  message: 'only pipeline/wire.ts sends: go down the call chain (pool.send, a UnaryCaller) instead of the transport.',
};
// One entry per file set: a file matched by two entries would only get the later one's patterns.
const boundaries = [
  { files: ['src/cli/**/*.ts'], patterns: [publicApiOnly] },
  { files: ['src/transport/**/*.ts'], patterns: [belowResilience, belowFacade] },
  { files: ['src/*.ts'], patterns: [wireOnlyInPipeline] },
  { files: ['src/pipeline/**/*.ts'], patterns: [belowFacade] },
  // cli/, testing/, sse/ and browser/ are entry points of their own, built on the public API.
  {
    files: ['src/*/**/*.ts'],
    ignores: ['src/cli/**', 'src/testing/**', 'src/sse/**', 'src/browser/**', 'src/transport/**', 'src/pipeline/**'],
    patterns: [belowFacade, wireOnlyInPipeline],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'jest.config.js', 'eslint.config.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...boundaries.map(({ files, ignores, patterns }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  })),
);
