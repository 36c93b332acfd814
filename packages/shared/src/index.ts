export * from './badges.js';
export * from './container-credentials.js';
export * from './employee.js';
export * from './employee-table.js';
export * from './error-envelope.js';
export * from './iam-actions.js';
export * from './ids.js';
export * from './instance-identity.js';
