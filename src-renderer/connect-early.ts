/**
 * Imported first by main.ts, so evaluated before the rest of the renderer: the websocket to the
 * companion (web shell) opens while Vue, the stores and the views are still being evaluated,
 * and the first screen's requests leave as soon as it is open. Under Electron this only picks
 * up the preload's bridge.
 */
import { useBridge } from './composables/useBridge';

useBridge();
