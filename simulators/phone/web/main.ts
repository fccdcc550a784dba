/**
 * The reference phone page (issue 4 §4): the e-CPS app's side of the pairing in a browser,
 * for demos and training. Served by simulators/phone/page-server.ts under a strict CSP
 * (`script-src 'self'`, no inline script, no eval): templates precompiled, vue-i18n JIT.
 */
import { createApp } from 'vue';
import { createI18n } from 'vue-i18n';
import App from './App.vue';
import fr from './locales/fr.json';
import en from './locales/en.json';
import './phone.css';

const i18n = createI18n<[typeof fr], 'fr' | 'en'>({ legacy: false, locale: 'fr', fallbackLocale: 'fr', messages: { fr, en } });
createApp(App).use(i18n).mount('#app');
