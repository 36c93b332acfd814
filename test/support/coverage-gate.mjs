// The coverage floor of `npm test`, judged from the json-summary tap wrote in this run only.
import { existsSync, readFileSync } from 'node:fs';

/** The four figures the floor is set on. */
export const COVERAGE_KINDS = ['lines', 'statements', 'functions', 'branches'];

/**
 * Judges coverage-summary.json against the floors. A missing report, a missing figure or one that
 * is not a number ("Unknown" when nothing was measured) is a failure, never a pass.
 * @param {string} reportPath
 * @param {Record<string, number>} floors percent per kind
 * @returns {{ ok: boolean, name: string, problems: string[] }}
 */
export function judgeCoverage(reportPath, floors) {
  if (!existsSync(reportPath)) {
    return { ok: false, name: 'coverage: no report from this run', problems: [reportPath] };
  }
  let total;
  try {
    total = JSON.parse(readFileSync(reportPath, 'utf8')).total;
  } catch (error) {
    return { ok: false, name: 'coverage: unreadable report', problems: [String(error)] };
  }
  const problems = [];
  const shown = [];
  for (const [kind, floor] of Object.entries(floors)) {
    const pct = total?.[kind]?.pct;
    if (typeof pct !== 'number' || !Number.isFinite(pct)) {
      problems.push(`${kind} is ${JSON.stringify(pct)}, not a number`);
      shown.push(`${kind} ?`);
      continue;
    }
    shown.push(`${kind} ${pct}%`);
    if (pct < floor) problems.push(`${kind} ${pct}% < ${floor}%`);
  }
  return { ok: problems.length === 0, name: `coverage (${shown.join(', ')})`, problems };
}

/**
 * Test files and assertions from tap's TAP output: top-level points are files, the final
 * `# { total, pass, fail, skip }` comment counts every assertion.
 * @param {string} text
 */
export function tapCounts(text) {
  const files = { total: 0, pass: 0, fail: 0, skip: 0 };
  for (const line of text.split('\n')) {
    const m = /^(ok|not ok) \d+ - .*?(# SKIP)?/.exec(line);
    if (!m) continue;
    files.total += 1;
    if (m[1] === 'not ok') files.fail += 1;
    else if (/# SKIP/i.test(line)) files.skip += 1;
    else files.pass += 1;
  }
  const summary = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(
    text,
  );
  const assertions = summary
    ? {
        total: Number(summary[1]),
        pass: Number(summary[2] ?? 0),
        fail: Number(summary[3] ?? 0),
        skip: Number(summary[4] ?? 0),
      }
    : undefined;
  return { files, assertions };
}
