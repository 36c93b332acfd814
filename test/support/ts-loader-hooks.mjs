// The module hooks behind ts-loader.mjs (they run on Node's loader thread).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** NodeNext style: a relative `./x.js` import names `./x.ts` (or `.tsx`) when no `.js` is there. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const local = /^(\.{1,2}\/|file:)/.test(specifier) && specifier.endsWith('.js');
    if (!local || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    for (const extension of ['.ts', '.tsx']) {
      try {
        return await nextResolve(`${specifier.slice(0, -3)}${extension}`, context);
      } catch {
        // try the next extension, then give the original error
      }
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !TYPESCRIPT.test(new URL(url).pathname)) {
    return nextLoad(url, context);
  }
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, 'utf8'), {
    loader: path.endsWith('x') ? 'tsx' : 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    // The settings tsconfig.base.json and the api package give TypeScript.
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    sourcemap: 'inline',
    sourcefile: path,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
