// Generated fragments live inside the hand-written templates between marker comments:
//   # >>> generated: <name> (node deploy/generate.mjs)
//   # <<< generated: <name>
// Rendering replaces what is between the markers, indented like the opening marker.

const BEGIN = /^(?<indent> *)# >>> generated: (?<name>[a-z0-9-]+)\b.*$/;
const END = /^ *# <<< generated: (?<name>[a-z0-9-]+)\s*$/;

/**
 * @param {string} text the template as committed
 * @param {Record<string, string>} fragments the fresh text of every fragment it must contain
 * @returns {string} the template with every fragment rewritten
 */
export function renderFragments(text, fragments) {
  const lines = text.split('\n');
  /** @type {string[]} */
  const out = [];
  const seen = new Set();
  for (let i = 0; i < lines.length; i += 1) {
    const line = /** @type {string} */ (lines[i]);
    const begin = BEGIN.exec(line);
    if (END.test(line)) throw new Error(`line ${i + 1}: end marker without a begin marker`);
    out.push(line);
    if (!begin?.groups) continue;
    const { indent = '', name = '' } = begin.groups;
    const fragment = fragments[name];
    if (fragment === undefined)
      throw new Error(`line ${i + 1}: no generator for fragment "${name}"`);
    if (seen.has(name)) throw new Error(`line ${i + 1}: fragment "${name}" appears twice`);
    seen.add(name);
    const end = lines.findIndex((candidate, j) => j > i && END.test(candidate));
    const endName =
      end < 0 ? undefined : END.exec(/** @type {string} */ (lines[end]))?.groups?.name;
    if (endName !== name) throw new Error(`line ${i + 1}: fragment "${name}" has no end marker`);
    for (const fragmentLine of fragment.split('\n')) {
      out.push(fragmentLine.trim() === '' ? '' : `${indent}${fragmentLine}`);
    }
    out.push(/** @type {string} */ (lines[end]));
    i = end;
  }
  const missing = Object.keys(fragments).filter((name) => !seen.has(name));
  if (missing.length > 0) throw new Error(`no markers for fragment(s): ${missing.join(', ')}`);
  return out.join('\n');
}
