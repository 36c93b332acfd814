export * from './flask-item.js';
export * from './flask-migration.js';
export * from './flask-source.js';
export * from './migrate-config.js';
export * from './migration-deps.js';
export * from './migration-progress.js';
export * from './migration-summary.js';
