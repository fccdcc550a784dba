/** Technician diagnostics (issue 6 §1, §3, §4): checks, knowledge base, report. */
export { runDiagnostics, type DiagnosticRun, type DiagnosticsOptions } from './run';
export { buildReport, fallbackFromRun, formatStrategy, renderJson, safeTraceEntry, type DiagnosticReport, type FallbackOutcome, type FallbackReaderSummary, type ReportOptions } from './report';
export { renderHtml, escapeHtml } from './report-html';
export { renderTextSummary } from './report-text';
export { loadReaderKnowledge, loadGalssErrors, lookupGalssError, createReaderKnowledge, type ReaderKnowledge } from './knowledge';
export { parseGalssIni, findGalss, defaultGalssLocation, type GalssLocation, type GalssIni } from './galss-ini';
export { linuxProbe, windowsProbe, defaultPlatformProbe, type PlatformProbe, type ServiceProbe } from './platform';
export { enumerateUsb, type UsbDevice, type UsbEnumeration } from './usb';
export { maskName, maskDigits } from './mask';
export type { CheckResult, CheckStatus, Evidence } from './types';
