// Runs cfn-guard with the AWS Control Tower proactive controls over one template. Both come from the
// npm package @cdklabs/cdk-validator-cfnguard: the cfn-guard binary for this platform under bin/,
// the rules under rules/control-tower/cfn-guard/<service>/ct-<service>-pr-<n>.guard.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PACKAGE_DIR = dirname(
  createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'),
);
export const RULES_DIR = join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');

/** The binary the package ships for this machine. */
export function guardBinary(platform = process.platform, arch = process.arch) {
  const os = { linux: 'ubuntu', darwin: 'macos' }[/** @type {string} */ (platform)];
  const cpu = { x64: 'x86_64', arm64: 'aarch64' }[/** @type {string} */ (arch)];
  const path = os && cpu ? join(PACKAGE_DIR, 'bin', os, cpu, 'cfn-guard') : undefined;
  if (!path || !existsSync(path)) {
    throw new Error(`@cdklabs/cdk-validator-cfnguard ships no cfn-guard for ${platform}/${arch}`);
  }
  return path;
}

/**
 * @typedef {object} GuardFinding
 * @property {string} control e.g. CT.S3.PR.2
 * @property {string} resource the template's logical id
 * @property {string} rule the guard rule's name
 */

/** @param {unknown} node @param {Set<string>} into */
function resourcesIn(node, into) {
  if (node === null || typeof node !== 'object') return into;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'path' && typeof value === 'string' && value.startsWith('/Resources/')) {
      into.add(value.split('/')[2] ?? '');
    } else resourcesIn(value, into);
  }
  return into;
}

/**
 * Every failing (control, resource) pair for one template file, sorted.
 * @param {string} templatePath
 * @returns {GuardFinding[]}
 */
export function guardFindings(templatePath) {
  const result = spawnSync(
    guardBinary(),
    [
      'validate',
      ...['--rules', RULES_DIR, '--data', templatePath],
      ...['--output-format', 'json', '--show-summary', 'none', '--structured'],
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  // cfn-guard exits 19 when a rule fails and 0 when all pass; anything else is its own failure.
  if (result.status !== 0 && result.status !== 19) {
    throw new Error(`cfn-guard failed (${result.status}): ${result.stderr || result.error}`);
  }
  const reports = [JSON.parse(result.stdout)].flat();
  /** @type {Map<string, GuardFinding>} */
  const found = new Map();
  for (const report of reports) {
    for (const failure of report.not_compliant ?? []) {
      const rule = failure.Rule ?? failure;
      const control = /\[(CT\.[A-Z0-9_]+\.PR\.\d+)\]/.exec(JSON.stringify(rule))?.[1] ?? rule.name;
      for (const resource of resourcesIn(rule, new Set())) {
        found.set(`${control} ${resource}`, { control, resource, rule: rule.name });
      }
    }
  }
  return [...found.values()].sort((a, b) =>
    `${a.control} ${a.resource}`.localeCompare(`${b.control} ${b.resource}`),
  );
}
