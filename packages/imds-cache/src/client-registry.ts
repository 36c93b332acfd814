import type { ClientMetrics } from './client-metrics.js';
import { type ClientSpec, readClientsFile } from './clients-file.js';
import type { Clock } from './clock.js';
import type { ImdsCacheConfig } from './config.js';
import { CredentialCache } from './credential-cache.js';
import { CredentialsBody } from './credentials-body.js';
import type { DaemonLock } from './daemon-lock.js';
import type { GuardMetrics } from './guard-metrics.js';
import type { InstanceIdentityCache } from './instance-identity.js';
import { LazyAssumeRole } from './lazy-assume-role.js';
import type { Logger } from './log.js';
import { RefreshScheduler } from './refresh-scheduler.js';
import type { TokenRouter } from './request-guard.js';
import { reuseOrWriteToken, writeTokenFile } from './token-file.js';
import { claimTokenFile, rotateAndLog } from './token-lifecycle.js';
import { TokenRotation } from './token-rotation.js';
import { resolveGroups } from './unix-group.js';

/** What a token gets on /v1/credentials: the instance role (main token) or one client's role. */
export interface CredentialTarget {
  /** Undefined for the main token when IMDS_CACHE_SERVE_INSTANCE_ROLE=off: it gets nothing. */
  readonly cache: CredentialCache | undefined;
  /** The client's name; undefined for the main token. */
  readonly client: string | undefined;
  /** The role's account (a client role may live in another account than the instance). */
  readonly accountId: string | undefined;
  readonly body: CredentialsBody;
}

/** STS-sized timing: one AssumeRole per client every 33-39 min for 1 h sessions (bench:fleet). */
export function clientTiming(
  config: Pick<ImdsCacheConfig, 'minRemainingMs'>,
  durationSeconds: number,
): { ttlMs: number; minRemainingMs: number } {
  const ttlMs = durationSeconds * 1000;
  return { ttlMs, minRemainingMs: Math.min(config.minRemainingMs, ttlMs / 4) };
}

/** One client from the clients file: its token, its cache of AssumeRole credentials, its timer. */
export interface ClientEntry {
  readonly spec: ClientSpec;
  readonly gid: number | undefined;
  readonly cache: CredentialCache;
  readonly scheduler: RefreshScheduler;
  readonly target: CredentialTarget;
  tokens: TokenRotation | undefined;
}

export interface ClientRegistryDeps {
  readonly config: ImdsCacheConfig;
  /** The instance role's cache: it signs every AssumeRole. */
  readonly instance: CredentialCache;
  readonly identity: InstanceIdentityCache;
  readonly clock: Clock;
  readonly random: () => number;
  readonly log: Logger;
  readonly metrics: ClientMetrics;
  readonly signal: AbortSignal;
}

/**
 * The tokens the credentials listener accepts and what each one gets: the main token the
 * instance role (unless turned off), each client's token that client's scoped role.
 */
export class ClientRegistry implements TokenRouter<CredentialTarget> {
  readonly entries: readonly ClientEntry[];
  readonly #instance: CredentialTarget;
  readonly #deps: ClientRegistryDeps;
  readonly #sources: LazyAssumeRole[] = [];
  #main: TokenRotation | undefined;

  /** Reads IMDS_CACHE_CLIENTS_FILE (none when unset); a bad file or group is a ConfigError. */
  static async load(deps: ClientRegistryDeps): Promise<ClientRegistry> {
    const { clientsFile, tokenFile } = deps.config;
    const specs = clientsFile
      ? await readClientsFile(clientsFile, { reservedTokenFiles: [tokenFile] })
      : [];
    return new ClientRegistry(deps, specs, resolveGroups(specs.map((spec) => spec.group)));
  }

  constructor(
    deps: ClientRegistryDeps,
    specs: readonly ClientSpec[],
    gids: (number | undefined)[],
  ) {
    const { config, instance, clock, random } = deps;
    this.#deps = deps;
    this.#instance = {
      cache: config.serveInstanceRole ? instance : undefined,
      client: undefined,
      accountId: undefined,
      body: new CredentialsBody(),
    };
    this.entries = specs.map((spec, index) => {
      const log = deps.log.child({ client: spec.name });
      const source = new LazyAssumeRole(spec, deps);
      this.#sources.push(source);
      const timing = clientTiming(config, spec.durationSeconds);
      const { ttlMs, minRemainingMs } = timing;
      const cache = new CredentialCache({
        source,
        clock,
        random,
        ttlMs,
        minRemainingMs,
        serveFloorMs: Math.min(config.serveFloorMs, minRemainingMs / 2),
        staticStability: config.staticStability,
        roleName: spec.roleName,
        metrics: deps.metrics.forClient(spec.name),
        log,
      });
      const scheduler = new RefreshScheduler({ cache, clock, random, timing });
      const target = {
        cache,
        client: spec.name,
        accountId: spec.accountId,
        body: new CredentialsBody(),
      };
      return { spec, gid: gids[index], cache, scheduler, target, tokens: undefined };
    });
    deps.metrics.bindExpiry(
      () =>
        new Map(
          this.entries.map((entry) => {
            const held = entry.cache.peek();
            return [entry.spec.name, held && (held.expiresAtMs - clock.now()) / 1000];
          }),
        ),
    );
  }

  /**
   * Takes the main token file's lock and reuses or writes the main token, then every client's
   * (the lock is released again if one fails). Until then no token is accepted.
   */
  async claim(): Promise<{ tokens: TokenRotation; lock: DaemonLock }> {
    const deps = this.#deps;
    const claimed = await claimTokenFile(deps.config, deps.clock, deps.log);
    try {
      for (const entry of this.entries) {
        const { name, tokenFile } = entry.spec;
        const found = await reuseOrWriteToken(tokenFile, entry.gid);
        deps.log.info(
          { client: name, tokenFile, ...(found.problem ? { why: found.problem } : {}) },
          found.reused ? 'client token reused' : 'client token written',
        );
        entry.tokens = new TokenRotation({
          tokenFile,
          token: found.token,
          overlapMs: deps.config.tokenOverlapMs,
          clock: deps.clock,
          write: (path, token) => writeTokenFile(path, token, entry.gid),
        });
      }
    } catch (error) {
      await claimed.lock.release();
      throw error;
    }
    this.#main = claimed.tokens;
    return claimed;
  }

  /** Whether tokens are in place (the listener answers 503 "starting" before). */
  get claimed(): boolean {
    return this.#main !== undefined;
  }

  match(given: string): CredentialTarget | undefined {
    let found = this.#main?.accepts(given) ? this.#instance : undefined;
    for (const entry of this.entries) {
      // Every token is compared (no early exit): the time taken does not tell whose matched.
      if (entry.tokens?.accepts(given) && found === undefined) found = entry.target;
    }
    return found;
  }

  /** Starts every client's refresh loop (an immediate AssumeRole each); resolves once all settled. */
  start(): Promise<void> {
    for (const entry of this.entries) entry.scheduler.start();
    // refresh() joins the scheduler's first refresh: no second call.
    return Promise.allSettled(this.entries.map((entry) => entry.cache.refresh())).then(() => {});
  }

  /** Rotates the main token and every client's (each keeps its previous one for the overlap); never rejects. */
  rotate(metrics: GuardMetrics): Promise<void> {
    const { log, config } = this.#deps;
    const main = this.#main && rotateAndLog(this.#main, config.tokenFile, log, metrics);
    const turns = this.entries.map((entry) =>
      entry.tokens
        ? rotateAndLog(
            entry.tokens,
            entry.spec.tokenFile,
            log.child({ client: entry.spec.name }),
            metrics,
          )
        : undefined,
    );
    return Promise.all([main, ...turns]).then(() => {});
  }

  stop(): void {
    for (const entry of this.entries) entry.scheduler.stop();
    for (const source of this.#sources) source.destroy();
  }
}
