import { defineConfig } from 'vitest/config';

// `npm run test:addon`: the add-on image built in chroots and run (test/addon/rootfs.test.ts), and
// with ARGUS_ADDON_ARM64=1 the aarch64 native modules under qemu (test/addon/arm64.test.ts).
// Apart from `npm test`: it needs root and a Debian mirror, and minutes of CPU on a cold cache.
export default defineConfig({
  test: {
    include: ['test/addon/rootfs.test.ts', 'test/addon/arm64.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
