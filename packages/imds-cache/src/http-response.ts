import type { ServerResponse } from 'node:http';
import { type ErrorCode, errorEnvelope } from '@empdir/shared';
import { HttpError } from './errors.js';
import type { Logger } from './log.js';

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A body serialized ahead of time (the warm credentials answer): all headers in one writeHead. */
export function sendJsonBody(
  res: ServerResponse,
  status: number,
  body: Buffer,
  requestId: string,
): void {
  res.writeHead(status, {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    'X-Request-Id': requestId,
  });
  res.end(body);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain',
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'Content-Type': `${type}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Error bodies in both spellings: `Code`/`Message` for AWS SDKs (the container-credentials
 * provider reads those), `code`/`message` and the house envelope for everyone else.
 */
export function errorBody(code: ErrorCode, message: string, requestId: string) {
  return {
    Code: code,
    Message: message,
    code,
    message,
    ...errorEnvelope(code, message, requestId),
  };
}

/** The one place errors become responses: HttpError as it is, anything else a fixed 500. */
export function sendError(
  res: ServerResponse,
  error: unknown,
  requestId: string,
  log: Logger,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendJson(res, error.status, errorBody(error.code, error.message, requestId), error.headers);
    return;
  }
  log.error({ err: error, requestId }, 'unexpected error');
  sendJson(res, 500, errorBody('internal_error', 'internal error', requestId));
}
