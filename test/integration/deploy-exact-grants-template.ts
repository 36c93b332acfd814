// The exact-grant check of one template, in both parameter sets. One test file per template
// (deploy-exact-grants-<name>.test.ts) so each stays within tap's per-file timeout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { TEST_PARAMETERS } from '../../deploy/lib/template-policies.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';
import { exactGrants } from './deploy-exact-grants.js';
import { stackPolicies } from './deploy-stack-policies.js';

/** The parameters that create every conditional resource (trail, HTTPS, machine client). */
export const EVERYTHING = {
  ...TEST_PARAMETERS,
  Stage: 'prod',
  EnableCloudTrail: 'true',
  CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e',
  DomainName: 'directory.example.com',
  MachineClientRole: 'editor',
};

/** The test file that checks `file` (`ec2.yaml` → `deploy-exact-grants-ec2.test.ts`). */
export const exactGrantsTestFile = (file: string) =>
  `deploy-exact-grants-${file.replace(/\.ya?ml$/, '')}.test.ts`;

/** The values of the parameters `file` declares: equal ones resolve the template identically. */
function effective(file: string, parameters: Record<string, string>): string {
  const template = parseTemplate(readFileSync(join(DEPLOY_DIR, file), 'utf8'));
  const declared = Object.keys(template.Parameters ?? {}).sort();
  return JSON.stringify(declared.map((name) => [name, parameters[name]]));
}

/** Registers the exact check of `file`'s policies, with everything on and with the dev defaults. */
export function testExactGrants(file: string): void {
  // Everything the conditions can create, and the defaults (a policy may hang on a false condition).
  const sets = [
    ['everything on', EVERYTHING],
    ['dev defaults', { ...TEST_PARAMETERS, Stage: 'dev' }],
  ] as const;
  const seen = new Set<string>();
  for (const [label, parameters] of sets) {
    // A template that declares none of the parameters that differ (account.yaml) is checked once.
    const key = effective(file, parameters);
    if (seen.has(key)) continue;
    seen.add(key);
    t.test(`${file}, ${label}: the allowed set equals the declared grants`, async (t) => {
      const stack = await stackPolicies(file, parameters);
      const started = performance.now();
      const report = await exactGrants(file, stack);
      t.comment(
        `${report.requests} requests in ${Math.round(performance.now() - started)} ms; allowed:\n${report.allowed.join('\n')}`,
      );
      t.same(report.problems, [], `${file}: exact`);
    });
  }
}
