#!/usr/bin/env node
// `node test/mutation/survivors.mjs [path-substring...]`: the surviving and uncovered mutants of the
// last run (reports/mutation/mutation.json), one line each, to check against the README's list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const report = JSON.parse(readFileSync(join('reports', 'mutation', 'mutation.json'), 'utf8'));
const wanted = process.argv.slice(2);
for (const [file, { mutants }] of Object.entries(report.files).sort()) {
  if (wanted.length > 0 && !wanted.some((w) => file.includes(w))) continue;
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { line, column } = m.location.start;
    const replacement = JSON.stringify(m.replacement ?? '').slice(0, 90);
    console.log(`${file}:${line}:${column} ${m.status} ${m.mutatorName} ${replacement}`);
  }
}
