import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Strict headers for every response: no scripts at all, styles and images from us, photos from
 * the S3 origins that presigned URLs point at, forms posting only to us (and redirecting on to the
 * identity provider), no framing.
 */
export function securityHeaders(
  imageOrigins: readonly string[],
  formTargetOrigins: readonly string[] = [],
): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", ...imageOrigins],
      // The sign-out form redirects to the identity provider, and CSP checks redirects too.
      formAction: ["'self'", ...formTargetOrigins],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  });
}
