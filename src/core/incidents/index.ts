export * from './incident.js';
export * from './roles.js';
