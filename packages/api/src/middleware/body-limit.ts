import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../errors.js';

export const BODY_LIMITS = {
  form: 16 * 1024,
  json: 64 * 1024,
  // The largest photo plus room for the form's other fields and multipart framing.
  upload: 5 * 1024 * 1024 + 256 * 1024,
} as const;

/** Refuses bodies over maxBytes with 413 before reading them whole. */
export function limitBody(maxBytes: number, message: string): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(message);
    },
  });
}
