import { hkdfSync } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { CompactEncrypt, compactDecrypt } from 'jose';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encrypts and authenticates small JSON values for cookies (JWE, dir + A256GCM). Each purpose gets
 * its own key derived from SESSION_SECRET, so a value sealed for one cookie never opens as another.
 */
export class CookieSealer {
  readonly #key: Uint8Array;

  constructor(secret: string, purpose: string) {
    this.#key = new Uint8Array(hkdfSync('sha256', secret, 'empdir', `cookie:${purpose}`, 32));
  }

  seal(value: unknown): Promise<string> {
    return new CompactEncrypt(encoder.encode(JSON.stringify(value)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.#key);
  }

  /** The value, or undefined when absent, tampered with, or sealed with another key. */
  async open(sealed: string | undefined): Promise<unknown> {
    if (!sealed || sealed.length > 8192) return undefined;
    try {
      const { plaintext } = await compactDecrypt(sealed, this.#key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      return JSON.parse(decoder.decode(plaintext));
    } catch {
      return undefined;
    }
  }

  async read(c: Context, name: string): Promise<unknown> {
    return this.open(getCookie(c, name));
  }

  async write(c: Context, name: string, value: unknown, options: CookieOptions): Promise<void> {
    setCookie(c, name, await this.seal(value), options);
  }

  clear(c: Context, name: string, options: CookieOptions): void {
    deleteCookie(c, name, options);
  }
}
