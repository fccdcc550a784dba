import { defineConfig } from 'vite';
import { strictCspVueBuild } from './vite.config.ts';

/**
 * The reference phone page (simulators/phone/web) → dist/phone, served by
 * simulators/phone/page-server.ts with a fixed file list (hence fixed output names) and the same
 * strict CSP as the renderer.
 */
const base = strictCspVueBuild('./simulators/phone/web', './dist/phone');

export default defineConfig({
  ...base,
  build: {
    ...base.build,
    rolldownOptions: {
      output: {
        // The page server serves exactly these names (PHONE_PAGE_FILES).
        entryFileNames: 'phone.js',
        chunkFileNames: 'phone-[name].js',
        assetFileNames: 'phone[extname]',
        codeSplitting: false,
      },
    },
  },
});
