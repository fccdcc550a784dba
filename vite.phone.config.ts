import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/**
 * The reference phone page (simulators/phone/web) → dist/phone, served by
 * simulators/phone/page-server.ts with a fixed file list (hence fixed output names) and a
 * strict CSP: `script-src 'self'`, no inline script, no eval (templates precompiled, vue-i18n
 * JIT message compilation — the same choices as the renderer's vite.config.ts).
 */
export default defineConfig({
  root: fileURLToPath(new URL('./simulators/phone/web', import.meta.url)),
  base: './',
  plugins: [vue()],
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_JIT_COMPILATION__: 'true',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
  },
  build: {
    outDir: fileURLToPath(new URL('./dist/phone', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
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
