// What bench:api measures besides autocannon runs: walking every page the way a person (HTML) or
// a client (JSON) would, and the same DynamoDB query issued straight through the SDK.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { EMPLOYEE_TABLE } from '../../packages/shared/dist/index.js';
import { dynamoDbClientConfig } from '../support/local-aws.js';
import { percentile } from './load-run.mjs';

/**
 * Follows the HTML list's rel="next" links from / to the last page, one request at a time.
 * @param {string} url
 * @param {Record<string, string>} headers the credentials (Authorization)
 */
export async function walkHtml(url, headers) {
  const startedMs = performance.now();
  let path = /** @type {string | undefined} */ ('/');
  let pages = 0;
  let rows = 0;
  let photos = 0;
  let bytes = 0;
  while (path) {
    const res = await fetch(`${url}${path}`, { headers });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    pages += 1;
    bytes += Buffer.byteLength(html);
    rows += html.match(/<tr>/g)?.length ?? 0;
    photos += html.match(/<img /g)?.length ?? 0;
    path = /<a rel="next" href="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  }
  return { pages, rows, photos, bytes, ms: performance.now() - startedMs };
}

/**
 * Follows nextCursor through GET /api/employees?limit=N, one request at a time.
 * @param {string} url
 * @param {number} limit
 * @param {Record<string, string>} headers the credentials (Authorization)
 */
export async function walkJson(url, limit, headers) {
  const startedMs = performance.now();
  let cursor = /** @type {string | undefined} */ (undefined);
  let pages = 0;
  let items = 0;
  do {
    const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await fetch(`${url}/api/employees?limit=${limit}${query}`, { headers });
    /** @type {{ items: unknown[], nextCursor?: string }} */
    const body = await res.json();
    if (res.status !== 200) throw new Error(`GET /api/employees answered ${res.status}`);
    pages += 1;
    items += body.items.length;
    cursor = body.nextCursor;
  } while (cursor);
  return { pages, items, ms: performance.now() - startedMs };
}

/**
 * The API's list query (byName index, limit + 1 to learn whether a next page exists), issued
 * straight through the SDK: what the stand-in itself costs, without the API around it.
 * @param {{ endpoint: string, region: string }} ddb
 * @param {string} tableName
 */
export function directQuery(ddb, tableName) {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig(ddb)));
  const index = EMPLOYEE_TABLE.byNameIndex;
  /** @param {number} limit @param {Record<string, unknown> | undefined} start */
  const page = (limit, start) =>
    doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index.name,
        KeyConditionExpression: '#listKey = :listKey',
        ExpressionAttributeNames: { '#listKey': index.partitionKey },
        ExpressionAttributeValues: { ':listKey': index.listKeyValue },
        Limit: limit + 1,
        ExclusiveStartKey: start,
      }),
    );
  return {
    /** One page, as the API's first page asks for it. */
    firstPage: (/** @type {number} */ limit) => page(limit, undefined),
    /** Every page in order; like the API, the next page starts after the last item shown. */
    async walk(/** @type {number} */ limit) {
      const startedMs = performance.now();
      let start;
      let pages = 0;
      let items = 0;
      for (;;) {
        const out = await page(limit, start);
        const shown = (out.Items ?? []).slice(0, limit);
        pages += 1;
        items += shown.length;
        const last = shown.at(-1);
        if ((out.Items ?? []).length <= limit || !last) break;
        start = {
          [EMPLOYEE_TABLE.partitionKey]: last[EMPLOYEE_TABLE.partitionKey],
          [index.partitionKey]: last[index.partitionKey],
          [index.sortKey]: last[index.sortKey],
        };
      }
      return { pages, items, ms: performance.now() - startedMs };
    },
    close: () => doc.destroy(),
  };
}

/**
 * Runs `task` from `concurrency` loops for `durationMs`: requests/s and latency percentiles.
 * @param {number} concurrency
 * @param {number} durationMs
 * @param {() => Promise<unknown>} task
 */
export async function closedLoop(concurrency, durationMs, task) {
  /** @type {number[]} */
  const latencies = [];
  let errors = 0;
  const startedMs = performance.now();
  const endMs = startedMs + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endMs) {
        const t0 = performance.now();
        try {
          await task();
          latencies.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - startedMs) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    requests: latencies.length,
    errors,
    requestsPerS: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
