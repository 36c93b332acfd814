import type { RequestIdVariables } from 'hono/request-id';
import type { Logger } from 'pino';

/** What middleware hands to handlers through `c.var`. */
export type AppEnv = {
  Variables: RequestIdVariables & {
    /** The request's child logger, carrying its request id. */
    log: Logger;
    /** This browser's CSRF token, for the hidden field of every form (pages only). */
    csrfToken: string;
    /** A message from the previous redirect, shown once (pages only). */
    flash: string | undefined;
  };
};
