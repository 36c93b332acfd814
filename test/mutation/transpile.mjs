#!/usr/bin/env node
// Stryker's buildCommand, run once inside its sandbox: writes a .js beside every .ts/.tsx of the
// packages' sources and the integration tests, so each mutant's test processes start on plain
// node. Under the tsx loader every module (tap's too) went through loader hooks: a test process
// cost about twice the CPU. Never run it in the work tree (it refuses outside a sandbox).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = process.cwd();
if (!/[\\/]\.stryker-tmp[\\/]sandbox-/.test(root) && process.argv[2] !== '--anywhere') {
  console.error(`transpile.mjs writes .js files beside the sources; ${root} is not a sandbox`);
  process.exit(1);
}

const compilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  jsx: ts.JsxEmit.ReactJSX,
  jsxImportSource: 'hono/jsx',
  verbatimModuleSyntax: true,
  sourceMap: false,
};

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const packages = readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src'));
let count = 0;
for (const file of [...packages, join(root, 'test', 'integration')].flatMap(sources)) {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions,
    fileName: file,
  });
  writeFileSync(file.replace(/\.tsx?$/, '.js'), outputText);
  count += 1;
}
console.log(`transpile.mjs: ${count} files`);
