export * from './config';
export * from './schemas';
export * from './client';
export * from './key';
export * from './messages';
export * from './registry';
export * from './n8n';
