// Every policy the templates create allows exactly DECLARED_GRANTS (deploy/lib/declared-grants.mjs):
// IAM's evaluation logic over every action of the services in play, against every resource the
// stacks own, someone else's resource of each type, and `*`.
import t from 'tap';
import { TEST_PARAMETERS } from '../../deploy/lib/template-policies.mjs';
import { exactGrants } from './deploy-exact-grants.js';
import { stackPolicies } from './deploy-stack-policies.js';

/** The parameters that create every conditional resource (trail, HTTPS, machine client). */
const EVERYTHING = {
  ...TEST_PARAMETERS,
  Stage: 'prod',
  EnableCloudTrail: 'true',
  CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e',
  DomainName: 'directory.example.com',
  MachineClientRole: 'editor',
};

for (const file of ['ec2.yaml', 'serverless.yaml']) {
  t.test(`${file}: the allowed set equals the declared grants`, async (t) => {
    const stack = await stackPolicies(file, EVERYTHING);
    const started = performance.now();
    const report = await exactGrants(file, stack);
    t.comment(
      `${report.requests} requests in ${Math.round(performance.now() - started)} ms; allowed:\n${report.allowed.join('\n')}`,
    );
    t.same(report.problems, [], `${file}: exact`);
  });
}
