export { type App, createApp } from './app.js';
export type { AppDeps } from './app-deps.js';
export type { AppEnv } from './app-env.js';
export { type ApiConfig, ConfigError, loadConfig } from './config.js';
export { type CreateDepsOptions, createDeps, type RealDeps } from './create-deps.js';
export { createLogger } from './log.js';
export { type RunningServer, startServer } from './server.js';
