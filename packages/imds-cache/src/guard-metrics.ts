import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the connection and request guards, the token and the audit log. */
export interface GuardMetrics {
  readonly connectionsRefused: Counter<'reason'>;
  readonly tokenRotations: Counter<'outcome'>;
  readonly auditLinesSuppressed: Counter;
  /** Sets where the open-connections gauge reads from. */
  bindOpenConnections(count: () => number): void;
}

export function createGuardMetrics(registry: Registry): GuardMetrics {
  let open: () => number = () => 0;
  new Gauge({
    name: 'imds_cache_connections_open',
    help: 'Connections open on the credentials listener',
    registers: [registry],
    collect() {
      this.set(open());
    },
  });
  return {
    connectionsRefused: new Counter({
      name: 'imds_cache_connections_refused_total',
      help: 'Requests answered 503 because their connection was over a cap (connections, connections_per_uid)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    tokenRotations: new Counter({
      name: 'imds_cache_token_rotations_total',
      help: 'Token rotations (SIGHUP or imds-cache rotate-token), by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    auditLinesSuppressed: new Counter({
      name: 'imds_cache_audit_lines_suppressed_total',
      help: 'Audit lines held back by the line budget (their counts go out with the next line)',
      registers: [registry],
    }),
    bindOpenConnections(count) {
      open = count;
    },
  };
}
