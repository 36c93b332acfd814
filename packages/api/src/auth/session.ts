import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { ApiConfig } from '../config.js';
import { cookieOptions } from '../middleware/cookie-options.js';
import { ROLES } from './identity.js';
import { CookieSealer } from './sealed-cookie.js';

export const SESSION_COOKIE = 'empdir_session';

const sessionSchema = z.object({
  sub: z.string(),
  name: z.string(),
  role: z.enum(ROLES).optional(),
  /** For RP-initiated logout's id_token_hint. */
  idToken: z.string().optional(),
  createdAtMs: z.number(),
  seenAtMs: z.number(),
});
export type Session = z.infer<typeof sessionSchema>;

export interface SessionOptions {
  readonly secret: string;
  readonly cookieSecure: ApiConfig['cookieSecure'];
  readonly idleTimeoutSeconds: number;
  readonly maxAgeSeconds: number;
  readonly now: () => number;
}

/** The signed-in user, in an encrypted HttpOnly cookie that ends when idle or too old. */
export class SessionStore {
  readonly #sealer: CookieSealer;

  constructor(private readonly options: SessionOptions) {
    this.#sealer = new CookieSealer(options.secret, 'session');
  }

  /** The live session, or undefined; an expired one is removed from the browser. */
  async read(c: Context): Promise<Session | undefined> {
    const raw = getCookie(c, SESSION_COOKIE);
    if (raw === undefined) return undefined;
    const parsed = sessionSchema.safeParse(await this.#sealer.open(raw));
    if (!parsed.success) {
      this.end(c);
      return undefined;
    }
    const session = parsed.data;
    const nowMs = this.options.now();
    const idleMs = this.options.idleTimeoutSeconds * 1000;
    const expired =
      nowMs - session.seenAtMs > idleMs ||
      nowMs - session.createdAtMs > this.options.maxAgeSeconds * 1000 ||
      session.createdAtMs > nowMs;
    if (expired) {
      this.end(c);
      return undefined;
    }
    // Re-sealing on every request costs CPU; a tenth of the idle timeout is slack enough.
    if (nowMs - session.seenAtMs >= idleMs / 10) {
      await this.#write(c, { ...session, seenAtMs: nowMs });
    }
    return session;
  }

  async start(c: Context, fields: Omit<Session, 'createdAtMs' | 'seenAtMs'>): Promise<void> {
    const nowMs = this.options.now();
    await this.#write(c, { ...fields, createdAtMs: nowMs, seenAtMs: nowMs });
  }

  end(c: Context): void {
    this.#sealer.clear(c, SESSION_COOKIE, cookieOptions(c, this.options.cookieSecure));
  }

  async #write(c: Context, session: Session): Promise<void> {
    const leftMs = session.createdAtMs + this.options.maxAgeSeconds * 1000 - this.options.now();
    await this.#sealer.write(c, SESSION_COOKIE, session, {
      ...cookieOptions(c, this.options.cookieSecure),
      maxAge: Math.max(1, Math.floor(leftMs / 1000)),
    });
  }
}
