import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  test: {
    // dist/node rebuilt first when a source changed (tests run the CLI and the web shell built).
    globalSetup: ['./test/support/build-bundles.ts'],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/renderer/**'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The Vue renderer's components and stores, in a simulated DOM (no browser needed).
        plugins: [vue()],
        test: {
          name: 'renderer',
          include: ['test/unit/renderer/**/*.test.ts'],
          environment: 'happy-dom',
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Real pcscd + vpcd. Each file starts its own private pcscd (test/support/pcscd-rig.ts)
        // in its own process: libpcsclite reads its socket path once per process.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // A watchdog per worker: a main thread blocked in a native call defeats the
          // timeouts below; the guard reports the test and kills the worker after 120 s.
          setupFiles: ['./test/support/hang-guard.ts'],
          pool: 'forks',
          isolate: true,
          testTimeout: 30_000,
          hookTimeout: 30_000,
          maxWorkers: 2,
          // After the unit tests, so the real-pcscd files do not share the 2 cores with them.
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Hostile batteries against the real web shell and pairing server, and the Electron
        // hardening checks (issue 13). Real sockets and servers: one process per file, like the
        // integration tests, and after the unit tests for the same reason.
        test: {
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          isolate: true,
          testTimeout: 30_000,
          hookTimeout: 30_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
