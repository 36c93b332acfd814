// bench:imds's per-client rows: N unmodified SDK processes holding the `api` client's token, through
// a daemon with a clients file (api, reports) and the STS stand-in; IMDS and AssumeRole calls counted
// at the stand-ins (the STS stand-in's request log), so both should stay flat as N grows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_INSTANCE, startImdsSimulator } from '../support/imds-simulator.js';
import { imdsTrustedSource } from '../support/sts-imds-link.js';
import { startStsSimulator } from '../support/sts-simulator.js';
import { startDaemon, sumMetric } from './daemon.mjs';
import { markdownTable } from './report.mjs';
import { runShortLived, sdkEnv } from './sdk-workloads.mjs';

const account = DEFAULT_INSTANCE.accountId;
const CLIENTS = ['api', 'reports'];

/**
 * @param {{ processCounts: number[], concurrency: number }} plan
 */
export async function runClientRoles({ processCounts, concurrency }) {
  const rows = [];
  for (const n of processCounts) {
    console.log(`clients file: N = ${n} processes with the api token, ${concurrency} at a time…`);
    const imds = await startImdsSimulator();
    const sts = await startStsSimulator({
      roles: CLIENTS.map((name) => `arn:aws:iam::${account}:role/empdir-bench-${name}`),
      trustedSource: imdsTrustedSource(imds.url),
    });
    const dir = mkdtempSync(join(tmpdir(), 'empdir-bench-clients-'));
    const clients = CLIENTS.map((name) => ({
      name,
      tokenFile: join(dir, `${name}.token`),
      roleArn: `arn:aws:iam::${account}:role/empdir-bench-${name}`,
    }));
    const clientsFile = join(dir, 'clients.json');
    writeFileSync(clientsFile, JSON.stringify({ clients }));
    const daemon = await startDaemon({
      imdsUrl: imds.url,
      env: {
        IMDS_CACHE_CLIENTS_FILE: clientsFile,
        IMDS_CACHE_STS_ENDPOINT: sts.url,
        IMDS_CACHE_SERVE_INSTANCE_ROLE: 'off',
      },
    });
    try {
      const figures = await runShortLived({
        n,
        concurrency,
        env: sdkEnv({
          credentialsUrl: daemon.credentialsUrl,
          tokenFile: clients[0]?.tokenFile ?? '',
        }),
      });
      const metrics = await daemon.metrics();
      const assumeRoles = sts.requests().filter((request) => request.action === 'AssumeRole');
      /** @type {Record<string, number>} */
      const assumeRoleByClient = {};
      for (const client of clients) {
        assumeRoleByClient[client.name] = sts
          .assumeRoleCalls()
          .filter((call) => call.roleArn === client.roleArn).length;
      }
      rows.push({
        n,
        concurrency,
        ...figures,
        imdsCalls: imds.counters().total,
        daemonImdsCalls: sumMetric(metrics, 'imds_cache_upstream_requests_total'),
        assumeRoleCalls: assumeRoles.length,
        assumeRoleByClient,
        daemonStsCalls: sumMetric(metrics, 'imds_cache_client_sts_requests_total'),
      });
    } finally {
      await daemon.stop();
      await sts.close();
      await imds.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const markdown = markdownTable(
    [
      'N processes (api token)',
      'clients failed',
      'IMDS calls (by the daemon)',
      'AssumeRole api',
      'AssumeRole reports',
      'AssumeRole total (daemon /metrics)',
    ],
    rows.map((r) => [
      r.n,
      Object.values(r.failuresByError).reduce((sum, count) => sum + count, 0),
      `${r.imdsCalls} (${r.daemonImdsCalls})`,
      r.assumeRoleByClient.api,
      r.assumeRoleByClient.reports,
      `${r.assumeRoleCalls} (${r.daemonStsCalls})`,
    ]),
  );
  return { rows, markdown };
}
