// The chart of bench:imds: IMDS calls per workload without and with the cache, from imds.json.
//   node test/load/imds-chart.mjs   (redraws results/imds-calls.svg from results/imds.json)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resultsDir } from './report.mjs';
import { barChartSvg } from './svg-chart.mjs';

/** @param {number | null} reduction */
const times = (reduction) => (reduction === null ? '∞' : `${Math.round(reduction)}×`);

/** @param {any} data */
export function imdsChartSvg(data) {
  const groups = data.shortLived.map((/** @type {any} */ r) => ({
    label: `N = ${r.n.toLocaleString('en-US')} processes`,
    values: [r.without.imdsCalls, r.withCache.imdsCalls],
    notes: [
      `clients failed: ${r.without.clientsFailed} vs ${r.withCache.clientsFailed}`,
      `${times(r.reduction)} fewer calls`,
    ],
  }));
  groups.push({
    label: `${data.longLived.m} long-lived × ${data.longLived.durationMs / 1000} s`,
    values: [data.longLived.without.imdsCalls, data.longLived.withCache.imdsCalls],
    notes: [
      `requests failed: ${data.longLived.without.requestsFailed} vs ${data.longLived.withCache.requestsFailed}`,
      `${times(data.longLived.reduction)} fewer calls`,
    ],
  });
  return barChartSvg({
    title: 'IMDS calls made by AWS SDK v3 processes',
    subtitle: `IMDSv2 throttled to ${data.setup.imdsRateLimit.ratePerSecond} req/s; ${data.setup.concurrency} processes at a time; cold cache daemon per run`,
    series: [
      { name: 'without the cache', color: '#c0392b' },
      { name: 'with imds-cache', color: '#1e8449' },
    ],
    groups,
    yLabel: 'calls to IMDS',
    footnote: `npm run bench:imds — ${data.machine.cores} cores, Node ${data.machine.node}, ${data.machine.measuredAt.slice(0, 10)}`,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const data = JSON.parse(readFileSync(join(resultsDir, 'imds.json'), 'utf8'));
  writeFileSync(join(resultsDir, 'imds-calls.svg'), imdsChartSvg(data));
}
