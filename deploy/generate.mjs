#!/usr/bin/env node
// Rewrites the generated blocks of deploy/*.yaml from their sources (packages/shared and
// deploy/user-data.sh). `--check` writes nothing and exits 1 if any committed block is stale.
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { renderTemplates } from './lib/templates.mjs';

const check = process.argv.includes('--check');
let stale = 0;
for (const { path, committed, generated } of await renderTemplates()) {
  if (committed === generated) continue;
  stale += 1;
  const name = relative(process.cwd(), path);
  if (check) console.error(`${name} is stale: run node deploy/generate.mjs`);
  else {
    await writeFile(path, generated);
    console.error(`wrote ${name}`);
  }
}
process.exitCode = check && stale > 0 ? 1 : 0;
