export { createValidatedDispatcher, validateEvent, toIpcError, transportError, type IpcDispatcher, type IpcHandlers, type IpcResult } from './validated';
export { createIpcServices, type IpcServices, type IpcServicesOptions, type IpcEventSource, type IpcEventListener } from './handlers';
