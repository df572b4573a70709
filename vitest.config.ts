import { defineConfig } from 'vitest/config';

/** Test runner settings; see test/support/moto.ts for how integration tests get an emulator. */
// A default export because that is where Vitest looks; the project otherwise uses named ones.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    // Each moto-using file starts its own moto_server (a Python process); on two cores more
    // than two at once only makes every file slower.
    maxWorkers: 2,
    // Belt and braces for any SDK client a test forgets to configure: never ask the
    // instance-metadata service for credentials.
    // The SDK's Node 22 notice is silenced here as the binary silences it (src/commands/main.ts).
    env: {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
