export * from './alert.js';
export * from './rate-limit.js';
