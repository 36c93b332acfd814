import { CSRF_COOKIE, CSRF_FIELD } from '../src/middleware/csrf-token.js';

type Fetcher = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export type FormFields = Record<string, string | readonly string[] | Blob | undefined>;

export interface PostOptions {
  /** Send as multipart/form-data (the employee form) instead of urlencoded. */
  readonly multipart?: boolean;
  /** The CSRF field to send; default the token from the last page, null to omit it. */
  readonly csrf?: string | null;
  /** The Origin header; default this browser's origin, null to omit it. */
  readonly origin?: string | null;
}

/** A cookie jar and form poster around app.request(), enough to drive the pages like a browser. */
export class FakeBrowser {
  readonly cookies = new Map<string, string>();
  token: string | undefined;

  constructor(
    private readonly app: Fetcher,
    readonly origin = 'http://localhost',
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.app.request(`${this.origin}${path}`, {
      headers: { ...headers, cookie: this.#cookieHeader() },
    });
    this.#remember(res);
    const html = await res.clone().text();
    const token = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(html)?.[1];
    if (token) this.token = token;
    return res;
  }

  async post(path: string, fields: FormFields, options: PostOptions = {}): Promise<Response> {
    const csrf = options.csrf === undefined ? this.token : options.csrf;
    const all: FormFields = csrf === null ? fields : { [CSRF_FIELD]: csrf, ...fields };
    const origin = options.origin === undefined ? this.origin : options.origin;
    const headers: Record<string, string> = { cookie: this.#cookieHeader() };
    if (origin !== null) headers.origin = origin;
    let body: FormData | URLSearchParams;
    if (options.multipart) {
      body = new FormData();
      for (const [name, value] of Object.entries(all)) {
        if (value === undefined) continue;
        if (value instanceof Blob) body.append(name, value, 'upload.bin');
        else for (const item of [value].flat()) body.append(name, item as string);
      }
    } else {
      body = new URLSearchParams();
      for (const [name, value] of Object.entries(all)) {
        for (const item of value === undefined || value instanceof Blob ? [] : [value].flat()) {
          body.append(name, item as string);
        }
      }
    }
    const res = await this.app.request(`${this.origin}${path}`, { method: 'POST', headers, body });
    this.#remember(res);
    return res;
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
      // The signed cookie is `<token>.<signature>`; pages without a form still hand one out.
      if (name === CSRF_COOKIE && !expired) {
        const value = decodeURIComponent(pair.slice(at + 1));
        this.token = value.slice(0, value.lastIndexOf('.'));
      }
    }
  }
}
