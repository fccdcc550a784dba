export * from './errors';
export * from './config-dir';
export * from './settings-store';
export * from './authority-check';
export * from './authority-setting';
export * from './network';
export * from './help';
