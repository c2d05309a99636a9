export * from './common.js';
export * from './health.js';
export * from './auth.js';
export * from './tasks.js';
export * from './chat.js';
export * from './client.js';
export * from './request-path.js';
