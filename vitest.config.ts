import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Runs on its own: `npm run test:addon` (vitest.addon.config.ts).
    exclude: [...configDefaults.exclude, 'test/addon/rootfs.test.ts', 'test/addon/arm64.test.ts'],
    // One temp folder a run, removed at its end (test/global-temp.ts).
    globalSetup: ['test/global-temp.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real ffmpeg, brokers and models run in the tests: two cores, so keep files from starving each other.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
