// bench:api's scale seeding: employees written straight into the DynamoDB stand-in with
// BatchWriteItem — each employee's item and its search hint items, exactly as the API's store
// writes them (toItem, hintsFor from the built package) — not through the API.
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toItem } from '../../packages/api/dist/store/employee-item.js';
import { hintsFor } from '../../packages/api/dist/store/search-hints.js';
import { EMPLOYEE_TABLE, sortNameFor } from '../../packages/shared/dist/index.js';
import { dynamoDbClientConfig } from '../support/local-aws.js';
import { runPool } from './processes.mjs';

// 60 × 80 first and last names (with accents): 4,800 distinct names, so a bigger directory has
// more namesakes, as a real one does.
const FIRST =
  'Ana Ben Chloé Dev Elif Femi Gita Hugo Inès Jon Kira Lev Maya Nils Omar Pia Quinn Rosa Sami Tove Uma Vera Wen Xavi Yara Zoë Aiko Bram Chidi Dana Emil Farah Goran Hana Ivo Jana Kofi Lina Mateo Nadia Oskar Priya Rafael Sven Talia Umar Vik Willa Yusuf Zara Amaru Björn Carmen Dmitri Esther Felix Greta Hamid Ingrid Jorge'.split(
    ' ',
  );
const LAST =
  'Okafor Silva Nguyen Haas Kowalski Moreau Tanaka Reyes Berg Ahmed Brown Costa Dubois Eriksen Fischer García Hansen Ito Jensen Kim Larsen Müller Novak Olsen Petrov Quist Rossi Santos Tran Ueda Vargas Weber Xu Yilmaz Zhang Abara Bauer Castro Diallo Evans Ferreira Gómez Horvat Ivanov Jovanović Kaur Lopez Martins Nakamura Ortiz Park Quintero Romero Schmidt Takahashi Uchenna Vogel Wójcik Yamamoto Zimmermann Andersson Bianchi Chen Dahl Eze Fontaine Gruber Hoffmann Iqbal Janssen Keller Lindqvist Mendes Nieminen Oliveira Popescu Ramos Sato Thompson'.split(
    ' ',
  );
const PLACES = ['Seattle', 'Dublin', 'Tokyo', 'São Paulo', 'Sydney', 'Cape Town', 'Berlin'];
const TITLES = ['Engineer', 'Designer', 'Manager', 'Analyst', 'Writer', 'Support Lead'];
const BADGES = ['apple', 'linux', 'coffee', 'bug', 'plane', 'trophy', 'camera', 'gamepad'];
const AT = '2026-01-15T12:00:00.000Z';

/** A deterministic UUID v4 per index, so every run seeds the same directory. */
function idFor(/** @type {number} */ i) {
  const hex = createHash('sha256').update(`bench-employee-${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** @param {number} i */
export function benchEmployee(i) {
  return {
    id: idFor(i),
    fullName: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
    location: PLACES[(i * 3) % PLACES.length],
    jobTitle: TITLES[(i * 5) % TITLES.length],
    badges: BADGES.filter((_, b) => ((i * 2654435761) >>> (b * 3)) % 4 === 0).slice(0, 3),
    createdAt: AT,
    updatedAt: AT,
    version: 1,
  };
}

/** The table items of one employee: its own and its search hints. */
export function itemsFor(/** @type {number} */ i) {
  const employee = benchEmployee(i);
  const hints = [...hintsFor(employee).values()].map((hint) => ({
    id: hint.id,
    [EMPLOYEE_TABLE.byNameIndex.partitionKey]: hint.listKey,
    [EMPLOYEE_TABLE.byNameIndex.sortKey]: hint.sortName,
    [EMPLOYEE_TABLE.search.employeeIdAttribute]: hint.employeeId,
    version: employee.version,
  }));
  return [toItem(employee), ...hints];
}

/**
 * Writes employees `from` to `to - 1` with BatchWriteItem (25 items a request, `concurrency` in
 * flight, unprocessed items sent again). Returns how many items and how long it took.
 * @param {{ endpoint: string, region: string }} ddb
 * @param {string} tableName
 * @param {{ from: number, to: number, concurrency?: number, onProgress?: (done: number) => void }} range
 */
export async function seedDirect(ddb, tableName, { from, to, concurrency = 8, onProgress }) {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig(ddb)));
  const startedMs = performance.now();
  let items = 0;
  try {
    const perChunk = 200;
    const chunks = Math.ceil((to - from) / perChunk);
    await runPool(chunks, concurrency, async (c) => {
      const batch = [];
      for (let i = from + c * perChunk; i < Math.min(to, from + (c + 1) * perChunk); i++) {
        batch.push(...itemsFor(i));
      }
      items += batch.length;
      for (let k = 0; k < batch.length; k += 25) {
        /** @type {any[]} */
        let requests = batch.slice(k, k + 25).map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 8) throw new Error('BatchWriteItem kept items unprocessed');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
          const out = await doc.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = out.UnprocessedItems?.[tableName] ?? [];
        }
      }
      onProgress?.(Math.min(to, from + (c + 1) * perChunk) - from);
    });
  } finally {
    doc.destroy();
  }
  return { employees: to - from, items, ms: performance.now() - startedMs };
}

/** The sort key of the employee in the middle of the first `count`, for a deep-page cursor. */
export function middleSortKey(/** @type {number} */ count) {
  const keys = [];
  for (let i = 0; i < count; i++) {
    const e = benchEmployee(i);
    keys.push(sortNameFor(e.fullName, e.id));
  }
  keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const sortName = /** @type {string} */ (keys[Math.floor(count / 2)]);
  return { sortName, id: sortName.slice(sortName.lastIndexOf('#') + 1) };
}
