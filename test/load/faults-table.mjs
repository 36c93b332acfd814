// bench:imds's faults table: for each IMDS fault mode, what SDK processes meet going straight to
// IMDS (measured with real processes) against what the daemon costs IMDS and its callers over a
// simulated hour (test/support/fault-hour.js, on an injected clock).
import { FAULT_MODES, simulateFaultHour } from '../support/fault-hour.js';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { markdownTable } from './report.mjs';
import { runShortLived, sdkEnv } from './sdk-workloads.mjs';

/** @param {Record<string, number>} failures */
const failureText = (failures) =>
  Object.entries(failures)
    .map(([name, count]) => `${count} ${name}`)
    .join(', ') || '0';

/**
 * @param {{ clientsPerMode: number, concurrency: number, lookupsPerSecond: number }} plan
 */
export async function runFaultsTable(plan) {
  const sim = await startImdsSimulator();
  const rows = [];
  try {
    for (const [mode, fault] of Object.entries(FAULT_MODES)) {
      console.log(`faults: ${mode}: ${plan.clientsPerMode} SDK processes straight to IMDS…`);
      sim.setFault({ kind: 'none' });
      sim.rotateCredentials();
      sim.resetCounters();
      sim.setFault(fault);
      const direct = await runShortLived({
        n: plan.clientsPerMode,
        concurrency: plan.concurrency,
        env: sdkEnv({ imdsUrl: sim.url }),
      });
      const directCalls = sim.counters().total;
      console.log(`faults: ${mode}: a simulated hour through the daemon…`);
      const daemon = await simulateFaultHour({ fault, lookupsPerSecond: plan.lookupsPerSecond });
      const callsPerClient = directCalls / plan.clientsPerMode;
      rows.push({
        mode,
        fault,
        direct: {
          clients: plan.clientsPerMode,
          clientsOk: direct.clientsOk,
          failuresByError: direct.failuresByError,
          imdsCalls: directCalls,
          callsPerClient,
          // Every lookup is a process asking IMDS itself, at the rate the daemon's hour sees.
          callsPerHourAtRate: Math.round(callsPerClient * plan.lookupsPerSecond * 3600),
        },
        daemon,
      });
    }
  } finally {
    await sim.close();
  }
  return { plan, rows, markdown: faultsMarkdown(plan, rows) };
}

/**
 * @param {{ clientsPerMode: number, lookupsPerSecond: number }} plan
 * @param {any[]} rows
 */
function faultsMarkdown(plan, rows) {
  const lookups = plan.lookupsPerSecond * 3600;
  const table = markdownTable(
    [
      'IMDS fault',
      'direct: IMDS calls per process',
      `direct: processes failed (of ${plan.clientsPerMode})`,
      `direct: IMDS calls per hour at ${plan.lookupsPerSecond}/s`,
      'daemon: IMDS calls in the hour',
      `daemon: lookups failed (of ${lookups.toLocaleString('en-US')})`,
      'daemon: lookups served extended',
      'daemon: bound per hour',
    ],
    rows.map((r) => [
      r.mode,
      r.direct.callsPerClient,
      failureText(r.direct.failuresByError),
      r.direct.callsPerHourAtRate,
      r.daemon.upstreamCalls,
      r.daemon.failures,
      r.daemon.extendedLookups,
      r.daemon.bound,
    ]),
  );
  return [
    '### IMDS faults: straight to IMDS vs through the daemon',
    '',
    `Each fault lasts the whole run. *Direct*: ${plan.clientsPerMode} unmodified SDK v3 processes (default provider chain) against the faulted simulator, measured; calls per hour = calls per process × ${plan.lookupsPerSecond} processes a second. *Daemon*: the daemon's cache, scheduler and IMDS client in-process against the same simulator for one simulated hour (injected clock), ${plan.lookupsPerSecond} lookups a second, warm at the start, its credentials expiring 30 min in (so every mode crosses expiry; default \`IMDS_CACHE_STATIC_STABILITY=extend\`). The bound is test/support/fault-hour.js's \`upstreamBoundPerHour\`, asserted per mode by test/integration/imds-cache-fault-hour.test.ts. The SDK itself extends an expired document (its own static stability), so *direct* clients do not fail on that row; they pay 3 IMDS calls each instead.`,
    '',
    table,
  ].join('\n');
}
