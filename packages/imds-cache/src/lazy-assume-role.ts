import type { ImdsCredentials } from '@empdir/shared';
import { AssumeRoleSource } from './assume-role-source.js';
import type { ClientRegistryDeps } from './client-registry.js';
import type { ClientSpec } from './clients-file.js';
import type { CredentialSource } from './credential-cache.js';

/**
 * An AssumeRoleSource built on first use, once the instance's id and region are known (IMDS may
 * still be failing at start); a failed lookup is a failed refresh, tried again after backoff.
 */
export class LazyAssumeRole implements CredentialSource {
  #built: Promise<AssumeRoleSource> | undefined;
  #source: AssumeRoleSource | undefined;

  constructor(
    readonly spec: ClientSpec,
    readonly deps: ClientRegistryDeps,
  ) {}

  async roleName(): Promise<string> {
    return this.spec.roleName;
  }

  async credentials(roleName: string): Promise<ImdsCredentials> {
    this.#built ??= this.#build().catch((error: unknown) => {
      this.#built = undefined;
      throw error;
    });
    return (await this.#built).credentials(roleName);
  }

  destroy(): void {
    this.#source?.destroy();
  }

  async #build(): Promise<AssumeRoleSource> {
    const { spec, deps } = this;
    const { instanceId, region } = await deps.identity.get();
    this.#source = new AssumeRoleSource({
      client: spec,
      instanceCredentials: async () => (await deps.instance.get()).document,
      instanceId,
      region,
      stsEndpoint: deps.config.stsEndpoint,
      // SourceIdentity: the client's name, not a process's user: one session serves every
      // process holding the client's token, and STS fixes SourceIdentity for a session's life.
      callerUserName: spec.name,
      clock: deps.clock,
      onCall: (outcome) => deps.metrics.stsCall(spec.name, outcome),
      signal: deps.signal,
    });
    return this.#source;
  }
}
