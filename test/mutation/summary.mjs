// Per-package mutation scores from Stryker's JSON report (mutation-testing-report-schema).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const PACKAGES = ['shared', 'imds-cache', 'api'];

/**
 * @typedef {{ score: number | null, killed: number, survived: number, noCoverage: number,
 *   timeout: number }} Counts
 */
/**
 * Counts each package's mutants by status. Score = (killed + timeout) / (killed + timeout +
 * survived + no coverage), Stryker's "mutation score"; compile errors and ignored ones are left out.
 * @param {{ files: Record<string, { mutants: { status: string }[] }> }} report
 * @param {string} root
 */
export function summarize(report, root, rowOf = packageOf) {
  /** @type {Record<string, Counts>} */
  const summary = {};
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const name = rowOf(relative(root, join(root, file)));
    if (!name) continue;
    summary[name] ??= { score: null, killed: 0, survived: 0, noCoverage: 0, timeout: 0 };
    const counts = summary[name];
    for (const { status } of mutants) {
      if (status === 'Killed') counts.killed += 1;
      else if (status === 'Timeout') counts.timeout += 1;
      else if (status === 'Survived') counts.survived += 1;
      else if (status === 'NoCoverage') counts.noCoverage += 1;
    }
  }
  for (const counts of Object.values(summary)) {
    const detected = counts.killed + counts.timeout;
    const valid = detected + counts.survived + counts.noCoverage;
    counts.score = valid === 0 ? null : Math.round((detected / valid) * 1000) / 10;
  }
  if (rowOf !== packageOf) return summary;
  /** @type {Record<string, Counts>} */
  const ordered = {};
  for (const name of PACKAGES) if (summary[name]) ordered[name] = summary[name];
  return ordered;
}

/** @param {string} file a path relative to the repo root */
function packageOf(file) {
  const name = /^packages\/([^/]+)\//.exec(file)?.[1];
  return name && PACKAGES.includes(name) ? name : undefined;
}

/**
 * The summary as a Markdown table.
 * @param {Record<string, Counts>} summary
 */
export function summaryTable(summary, first = 'package') {
  const rows = Object.entries(summary).map(
    ([name, c]) =>
      `| ${name} | ${c.score ?? '–'} % | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} |`,
  );
  return [
    `| ${first} | score | killed | timeout | survived | no coverage |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/**
 * Merges this run's figures into test/mutation/results/summary.json (a run of some packages only
 * replaces their rows) and writes summary.md beside it; with save false, only prints them.
 * @param {string} root
 * @param {{ save: boolean, packages?: string[] | undefined, files?: string[] | undefined }} options
 */
export function writeSummary(root, { save, packages = PACKAGES, files = [] }) {
  const reportPath = join(root, 'reports', 'mutation', 'mutation.json');
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  // The report also carries the incremental file's older results for files outside this run
  // (e.g. one module measured earlier): only the packages this run mutated as a whole are rows.
  const thisRun = Object.fromEntries(
    Object.entries(summarize(report, root)).filter(([name]) => !save || packages.includes(name)),
  );
  const dir = join(root, 'test', 'mutation', 'results');
  mkdirSync(dir, { recursive: true });
  if (!save) {
    // Kept apart from the package rows: a few modules are not a package's score. One row per
    // module of this run (the report also holds older results carried over from the incremental file).
    const byFile = summarize(report, root, (file) => (files.includes(file) ? file : undefined));
    const table = summaryTable(byFile, 'module');
    writeFileSync(join(dir, 'narrowed-run.md'), `Narrowed run:\n\n${table}\n`);
    console.log(`\nMutation score of this run (results/narrowed-run.md):\n${table}`);
    return;
  }
  const summaryPath = join(dir, 'summary.json');
  const previous = existsSync(summaryPath) ? JSON.parse(readFileSync(summaryPath, 'utf8')) : {};
  const merged = { ...previous, ...thisRun };
  const ordered = Object.fromEntries(PACKAGES.filter((p) => merged[p]).map((p) => [p, merged[p]]));
  writeFileSync(summaryPath, `${JSON.stringify(ordered, null, 2)}\n`);
  writeFileSync(join(dir, 'summary.md'), `${summaryTable(ordered)}\n`);
  console.log(`\nMutation score per package:\n${summaryTable(ordered)}`);
}
