export * from './log-dir';
export * from './redact';
export * from './rotating-file';
export * from './logger';
