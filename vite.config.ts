import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/**
 * A Vue build that runs under a strict CSP — `script-src 'self'`, no 'unsafe-eval', no inline
 * script: templates precompiled by @vitejs/plugin-vue (runtime-only Vue), vue-i18n ≥ 10 with JIT
 * message compilation (no `new Function`), relative asset paths, no inlined module-preload
 * polyfill. Shared by the renderer (this file) and the reference phone page (vite.phone.config.ts).
 */
export function strictCspVueBuild(root: string, outDir: string): UserConfig {
  return {
    root: fileURLToPath(new URL(root, import.meta.url)),
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
      outDir: fileURLToPath(new URL(outDir, import.meta.url)),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      // No inline <script>: the module-preload polyfill would be inlined otherwise.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
    },
  };
}

/** The renderer: src-renderer → dist/renderer, served by the web shell and Electron's app:// protocol. */
export default defineConfig(strictCspVueBuild('./src-renderer', './dist/renderer'));
