// Every policy the templates create allows exactly DECLARED_GRANTS (deploy/lib/declared-grants.mjs):
// IAM's evaluation logic over every action of the services in play, against every resource the
// stacks own, someone else's resource of each type, and `*`. Each template is checked in its own
// file (deploy-exact-grants-<name>.test.ts); this one proves every template has one, and that the
// check catches widenings.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DECLARED_GRANTS } from '../../deploy/lib/declared-grants.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';
import { exactGrants } from './deploy-exact-grants.js';
import { EVERYTHING, exactGrantsTestFile } from './deploy-exact-grants-template.js';
import { type StackPolicies, stackPolicies } from './deploy-stack-policies.js';

t.test(
  'every template under deploy/ has declared grants (a new one is not checked silently)',
  async (t) => {
    // guard-exceptions.yaml is cfn-guard's list of exceptions, not a template.
    const templates = readdirSync(DEPLOY_DIR).filter(
      (f) => /\.ya?ml$/.test(f) && f !== 'guard-exceptions.yaml',
    );
    t.same(templates.sort(), Object.keys(DECLARED_GRANTS).sort());
    for (const file of templates)
      t.ok(
        existsSync(join(import.meta.dirname, exactGrantsTestFile(file))),
        `${file}: checked by ${exactGrantsTestFile(file)}`,
      );
  },
);

t.test('the check fails for every kind of widening and for a missing grant', async (t) => {
  const only = (...services: string[]) => ({ onlyServices: new Set(services) });
  const ec2 = async () => stackPolicies('ec2.yaml', EVERYTHING);
  const role = (stack: StackPolicies) => stack.roles.find((r) => r.id === 'InstanceRole');
  const apiRole = (stack: StackPolicies) => stack.roles.find((r) => r.id === 'ApiRole');
  const bootstrap = (stack: StackPolicies) =>
    role(stack)?.identityPolicies.find((p) => p.name === 'instance-bootstrap')?.policy;
  const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/empdir-ec2-prod-employees';
  const bucket = 'arn:aws:s3:::empdir-ec2-prod-photos-123456789012-us-east-1';
  const cases: {
    name: string;
    change: (stack: StackPolicies) => void;
    services: string[];
    caught: RegExp;
  }[] = [
    {
      name: 'dynamodb:BatchWriteItem on the table in the bootstrap policy',
      change: (s) =>
        bootstrap(s)?.Statement.push({
          Effect: 'Allow',
          Action: 'dynamodb:BatchWriteItem',
          Resource: table,
        }),
      services: ['dynamodb'],
      caught:
        /not declared: role:InstanceRole may dynamodb:BatchWriteItem on arn:aws:dynamodb:.*table\/empdir-ec2-prod-employees$/m,
    },
    {
      name: 'a declared action on someone else’s bucket',
      change: (s) =>
        bootstrap(s)?.Statement.push({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::someone-elses/*',
        }),
      services: ['s3'],
      caught:
        /not declared: role:InstanceRole may s3:GetObject on arn:aws:s3:::someone-elses\/sample/,
    },
    {
      name: 'the bucket policy opened to everyone',
      change: (s) =>
        s.resourcePolicies.get(bucket)?.Statement.push({
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `${bucket}/*`,
        }),
      services: ['s3'],
      caught:
        /not declared: outsider may s3:GetObject on arn:aws:s3:::empdir-ec2-prod-photos[\s\S]*not declared: anonymous may s3:GetObject/,
    },
    {
      name: 'any Cognito grant for the instance role (it needs none)',
      change: (s) =>
        bootstrap(s)?.Statement.push({
          Effect: 'Allow',
          Action: 'cognito-idp:AdminCreateUser',
          Resource: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/UserPool-physical-id',
        }),
      services: ['cognito-idp'],
      caught:
        /not declared: role:InstanceRole may cognito-idp:AdminCreateUser on arn:aws:cognito-idp:.*userpool\/UserPool-physical-id$/m,
    },
    {
      name: 'a grant the API needs taken away',
      change: (s) => {
        const api = apiRole(s)?.identityPolicies.find((p) => p.name === 'api-data-access')?.policy;
        const photos = api?.Statement.find((x) => x.Sid === 'PhotoObjects');
        if (photos) photos.Action = ['s3:GetObject', 's3:DeleteObject'];
      },
      services: ['s3'],
      caught:
        /declared but denied: role:ApiRole s3:PutObject on .*employee-pic\/sample[\s\S]*never exercised: role:ApiRole s3:PutObject/,
    },
    {
      name: 'the API data policy back on the instance role (issue 11)',
      change: (s) => {
        const api = apiRole(s)?.identityPolicies.find((p) => p.name === 'api-data-access');
        if (api) role(s)?.identityPolicies.push(structuredClone(api));
      },
      services: ['dynamodb'],
      caught:
        /not declared: role:InstanceRole may dynamodb:GetItem on arn:aws:dynamodb:.*table\/empdir-ec2-prod-employees$/m,
    },
    {
      name: 'the instance role may assume any role',
      change: (s) =>
        role(s)
          ?.identityPolicies.find((p) => p.name === 'assume-client-roles')
          ?.policy.Statement.push({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }),
      services: ['sts'],
      caught:
        /not declared: role:InstanceRole may sts:AssumeRole on arn:aws:iam::123456789012:role\/other$/m,
    },
  ];
  for (const { name, change, services, caught } of cases) {
    const stack = await ec2();
    change(stack);
    const report = await exactGrants('ec2.yaml', stack, only(...services));
    t.match(report.problems.join('\n'), caught, `${name}: caught`);
  }
});
