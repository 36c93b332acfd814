// Starts one test file for Stryker's tap runner: given the .ts path (the name Stryker records, so
// the incremental report keeps matching the files in the work tree), imports the .js that
// transpile.mjs wrote beside it in the sandbox.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const testFile = process.argv[2];
if (!testFile) throw new Error('usage: node run-compiled.mjs <file.test.ts>');
await import(pathToFileURL(resolve(testFile.replace(/\.tsx?$/, '.js'))).href);
