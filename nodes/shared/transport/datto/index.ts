export * from './client';
export * from './config';
export * from './normalise';
export * from './schemas';
