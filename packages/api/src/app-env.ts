import type { RequestIdVariables } from 'hono/request-id';
import type { Logger } from 'pino';
import type { Identity } from './auth/identity.js';
import type { Session } from './auth/session.js';

/** What middleware hands to handlers through `c.var`. */
export type AppEnv = {
  Variables: RequestIdVariables & {
    /** The request's child logger, carrying its request id. */
    log: Logger;
    /** This browser's CSRF token, for the hidden field of every form (pages only). */
    csrfToken: string;
    /** A message from the previous redirect, shown once (pages only). */
    flash: string | undefined;
    /** Who is calling (set by the route policy); undefined on public routes without a session. */
    user: Identity | undefined;
    /** The session behind `user` when it came from the cookie (sign-out needs its ID token). */
    session: Session | undefined;
  };
};
