// cfn-guard with the AWS Control Tower proactive controls (binary and rules from
// @cdklabs/cdk-validator-cfnguard) finds nothing in any template beyond the deliberate exceptions,
// each listed with its reason in deploy/guard-exceptions.yaml, and none of those is stale.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import {
  type GuardFinding,
  guardBinary,
  guardFindings,
  RULES_DIR,
} from '../../deploy/lib/cfn-guard.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

interface GuardException {
  template: string;
  control: string;
  resources: string[];
  reason: string;
}

const exceptions: GuardException[] = parse(
  readFileSync(join(DEPLOY_DIR, 'guard-exceptions.yaml'), 'utf8'),
);
const TEMPLATES = readdirSync(DEPLOY_DIR).filter((f) => f.endsWith('.yaml'));
const excused = (file: string, f: GuardFinding) =>
  exceptions.some(
    (e) => e.template === file && e.control === f.control && e.resources.includes(f.resource),
  );

t.test('the rules are the Control Tower proactive controls', async (t) => {
  const services = readdirSync(RULES_DIR);
  t.ok(services.length > 30, `${services.length} services`);
  t.ok(readdirSync(join(RULES_DIR, 's3')).includes('ct-s3-pr-8.guard'));
});

t.test('every exception names a template, a control, resources and a reason', async (t) => {
  t.same(TEMPLATES.filter((f) => f !== 'guard-exceptions.yaml').sort(), [
    'account.yaml',
    'ec2.yaml',
    'serverless.yaml',
  ]);
  for (const e of exceptions) {
    t.ok(TEMPLATES.includes(e.template), `${e.template} exists`);
    t.match(e.control, /^CT\.[A-Z0-9_]+\.PR\.\d+$/);
    t.ok(e.resources.length > 0 && e.reason.length > 20, `${e.template} ${e.control}: explained`);
  }
});

t.test('no finding beyond the listed exceptions, and no stale exception', async (t) => {
  for (const file of ['account.yaml', 'ec2.yaml', 'serverless.yaml']) {
    const findings = guardFindings(join(DEPLOY_DIR, file));
    const unexplained = findings.filter((f) => !excused(file, f));
    t.same(
      unexplained.map((f) => `${f.control} ${f.resource}`),
      [],
      `${file}: ${findings.length} findings, all excepted`,
    );
    for (const e of exceptions.filter((x) => x.template === file)) {
      for (const resource of e.resources) {
        t.ok(
          findings.some((f) => f.control === e.control && f.resource === resource),
          `${file}: ${e.control} ${resource} still fails (else drop the exception)`,
        );
      }
    }
  }
});

t.test('a template that drops a guardrail is caught', async (t) => {
  const text = readFileSync(join(DEPLOY_DIR, 'account.yaml'), 'utf8');
  const broken = text
    .replace('EnableLogFileValidation: true', 'EnableLogFileValidation: false')
    .replace('EnableKeyRotation: true', 'EnableKeyRotation: false');
  t.not(broken, text);
  const path = join(mkdtempSync(join(tmpdir(), 'empdir-guard-')), 'account.yaml');
  writeFileSync(path, broken);
  const controls = guardFindings(path)
    .filter((f) => !excused('account.yaml', f))
    .map((f) => `${f.control} ${f.resource}`);
  t.same(controls, ['CT.CLOUDTRAIL.PR.2 Trail', 'CT.KMS.PR.1 TrailKey']);
});

t.test('a platform the package ships no binary for is named, not guessed', async (t) => {
  t.throws(() => guardBinary('win32', 'x64'), /ships no cfn-guard for win32\/x64/);
  t.throws(() => guardBinary('linux', 'ia32'), /ships no cfn-guard for linux\/ia32/);
  t.throws(() => guardFindings(join(DEPLOY_DIR, 'no-such-template.yaml')), /cfn-guard failed/);
});
