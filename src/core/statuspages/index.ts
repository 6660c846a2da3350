export * from './status.js';
export * from './snapshot.js';
export * from './statuspage-json.js';
