export * from './agenda.js';
export * from './blameless.js';
export * from './draft.js';
export * from './due.js';
export * from './markdown.js';
export * from './search.js';
export * from './similar.js';
export * from './templates.js';
