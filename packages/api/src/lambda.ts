import {
  type APIGatewayProxyResult,
  handle,
  type LambdaContext,
  type LambdaEvent,
} from 'hono/aws-lambda';
import { createApp } from './app.js';
import { type ApiConfig, loadConfig } from './config.js';
import { type CreateDepsOptions, createDeps } from './create-deps.js';

export type { LambdaEvent };

export type LambdaHandler = (
  event: LambdaEvent,
  context?: LambdaContext,
) => Promise<APIGatewayProxyResult>;

/** A Lambda handler around the same createApp() the Node server runs. */
export function createLambdaHandler(
  config: ApiConfig,
  options: CreateDepsOptions = {},
): LambdaHandler {
  return handle(createApp(createDeps(config, options)));
}

let cached: LambdaHandler | undefined;

/** The function's entry point; configuration is read on the first invocation and then kept. */
export const handler: LambdaHandler = (event, context) => {
  cached ??= createLambdaHandler(loadConfig(process.env));
  return cached(event, context);
};
