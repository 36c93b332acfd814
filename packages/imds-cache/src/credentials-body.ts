import { type ImdsCredentials, toContainerCredentials } from '@empdir/shared';

/**
 * The /v1/credentials answer serialized once per credentials document and account id, so the hot
 * path only looks up a Buffer; a rotated document or a newly known account id builds a new one.
 */
export class CredentialsBody {
  #document: ImdsCredentials | undefined;
  #accountId: string | undefined;
  #body: Buffer = Buffer.alloc(0);

  for(document: ImdsCredentials, accountId: string | undefined): Buffer {
    if (document !== this.#document || accountId !== this.#accountId) {
      const payload = toContainerCredentials(document, accountId ? { accountId } : {});
      this.#body = Buffer.from(JSON.stringify(payload), 'utf8');
      this.#document = document;
      this.#accountId = accountId;
    }
    return this.#body;
  }
}
