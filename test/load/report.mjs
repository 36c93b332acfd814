// Results go to test/load/results/<name>.json (every figure) and <name>.md (the table people read).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuCount } from './proc-stats.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const resultsDir = join(repoRoot, 'test', 'load', 'results');

/**
 * A GitHub Markdown table; numbers are rounded for reading (the JSON keeps them whole).
 * @param {string[]} header
 * @param {(string | number | null | undefined)[][]} rows
 */
export function markdownTable(header, rows) {
  const cell = (/** @type {string | number | null | undefined} */ value) =>
    value === null || value === undefined ? '–' : typeof value === 'number' ? fmt(value) : value;
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? ' :-- ' : ' --: ')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** @param {number} value */
export function fmt(value) {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** The machine a table was measured on, for its notes. */
export function machine() {
  return {
    cores: cpuCount(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    measuredAt: new Date().toISOString(),
  };
}

/**
 * Writes `<name>.json` and `<name>.md` and prints the Markdown.
 * @param {string} name
 * @param {object} data
 * @param {string} markdown
 */
export function writeResults(name, data, markdown) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${name}.md`), `${markdown.trimEnd()}\n`);
  console.log(`\n${markdown.trimEnd()}\n`);
  console.log(`wrote test/load/results/${name}.json and ${name}.md`);
}
