export * from './profiles';
export * from './simulator';
export * from './webhookEmitter';
