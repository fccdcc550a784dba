import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the renderer in Debian's Chromium (`apt-get install chromium`;
 * Playwright's own browser download is impossible here) against the web shell
 * `bin/start.mjs --no-open --demo`, started by test/e2e/global-setup.ts.
 *
 * One worker: the demo card's PIN counter is shared by the whole companion process.
 */
export default defineConfig({
  testDir: './test/e2e',
  testMatch: /.*\.spec\.ts$/,
  globalSetup: './test/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    browserName: 'chromium',
    headless: true,
    locale: 'fr-FR',
    viewport: { width: 1000, height: 900 },
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        // Root in a container: Chromium's sandbox needs user namespaces we may not have.
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        '--disable-gpu',
        '--no-first-run',
        // This machine's network is closed: no background calls to Google's services.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
});
