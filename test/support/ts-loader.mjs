// tap starts every test file with `--import` of this file: TypeScript (and the views' JSX) is
// compiled by esbuild as it loads. Faster to start than ts-node (about 0.5 s against 3 s a process),
// and unlike tsx it keeps the code's lines, so the coverage report maps back to the right ones.
// Type checking is not its job: `tsc -b` does that in `npm test`.
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
