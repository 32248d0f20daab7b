export * from './data';
export * from './server';
export * from './webhookEmitter';
export * from './jobs';
