// Proves the deployed role can make every AWS call the API makes and nothing more, by running IAM's
// evaluation logic over the policies exactly as the templates create them.
//
// The API's calls come from test/fixtures/recorded-aws-calls.json when it exists (written by the
// API's integration run), shape:
//   [{ "action": "dynamodb:GetItem", "resource": "arn:aws:dynamodb:${Region}:${Account}:table/${Table}" },
//    { "action": "s3:PutObject", "resource": "arn:aws:s3:::${Bucket}/employee-pic/*" }, ...]
// `action` is the IAM action (HeadBucket is s3:ListBucket), `resource` the ARN IAM evaluates, with
// the placeholders ${Table}, ${Bucket}, ${Region}, ${Account} (or <TableName>, <BucketName>) that
// this test replaces with each stack's names; a trailing `/*` becomes one photo key. Without the
// file, the calls are derived from API_IAM_ACTIONS: each action once, on an ARN of its kind.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import {
  type AppPolicies,
  appPolicies,
  type PolicyDocument,
  TEST_PARAMETERS,
  wildcardProblems,
} from '../../deploy/lib/template-policies.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';
import { API_IAM_ACTIONS, newPhotoKey } from '../../packages/shared/dist/index.js';
import {
  type AwsCall,
  copyPolicies,
  decide,
  leastPrivilegeProblems,
} from './deploy-policy-check.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recorded-aws-calls.json');
const recorded: AwsCall[] | undefined = existsSync(FIXTURE)
  ? JSON.parse(readFileSync(FIXTURE, 'utf8'))
  : undefined;

function apiCalls(p: AppPolicies): AwsCall[] {
  const fill = (text: string) =>
    text
      .replaceAll(/\$\{Table(Name)?\}|<TableName>/g, p.tableName)
      .replaceAll(/\$\{Bucket(Name)?\}|<BucketName>/g, p.bucketName)
      .replaceAll(/\$\{Region\}/g, p.region)
      .replaceAll(/\$\{Account(Id)?\}/g, p.accountId);
  // A recorded `employee-pic/*` stands for any photo key: evaluate one real-looking key.
  const concrete = (arn: string) => arn.replace(/\/\*$/, `/${newPhotoKey().split('/').pop()}`);
  if (recorded)
    return recorded.map((c) => ({ action: c.action, resource: concrete(fill(c.resource)) }));
  const bucketArn = `arn:aws:s3:::${p.bucketName}`;
  const arnOf = {
    table: p.tableArn,
    'table-indexes': `${p.tableArn}/index/byName`,
    bucket: bucketArn,
    'photo-objects': `${bucketArn}/${newPhotoKey()}`,
  };
  return API_IAM_ACTIONS.map((grant) => ({
    action: grant.action,
    resource: arnOf[grant.resource],
  }));
}

const TEMPLATES = [
  { file: 'ec2.yaml', trusted: 'role:InstanceRole' },
  { file: 'serverless.yaml', trusted: 'lambda.amazonaws.com' },
] as const;

/** Who may assume the app role: a service, or (ec2.yaml, issue 11) the stack's instance role. */
async function trustedBy(file: (typeof TEMPLATES)[number]['file'], stage: string, trusted: string) {
  if (!trusted.startsWith('role:')) return trusted;
  return (await appPolicies(file, { stage, role: trusted.slice('role:'.length) })).roleArn;
}

t.test('each role can make every API call and nothing on the forbidden list', async (t) => {
  t.comment(
    recorded ? `calls: ${FIXTURE}` : 'calls: derived from API_IAM_ACTIONS (no fixture yet)',
  );
  for (const { file, trusted } of TEMPLATES) {
    for (const stage of ['dev', 'prod']) {
      const policies = await appPolicies(file, { stage });
      const trustee = await trustedBy(file, stage, trusted);
      t.equal(
        policies.trustedPrincipal,
        trustee,
        `${file} ${stage}: only ${trustee} may assume it`,
      );
      const calls = apiCalls(policies);
      t.ok(calls.length >= API_IAM_ACTIONS.length, `${file}: ${calls.length} calls checked`);
      t.same(
        await leastPrivilegeProblems(policies, calls),
        [],
        `${file} ${stage}: least privilege`,
      );
    }
  }
});

t.test(
  'no Allow anywhere in the templates grants a wildcard action or an unowned wildcard',
  async (t) => {
    for (const { file } of TEMPLATES) {
      const template = parseTemplate(await readFile(join(DEPLOY_DIR, file), 'utf8'));
      const everything = { ...TEST_PARAMETERS, Stage: 'prod', EnableCloudTrail: 'true' };
      const resolver = createResolver(template, { parameters: everything });
      const documents: { name: string; policy: PolicyDocument }[] = [];
      const owned: string[] = [];
      for (const [id, resource] of Object.entries<{ Type: string; Properties: unknown }>(
        template.Resources,
      )) {
        if (!resolver.isCreated(id)) continue;
        if (/^AWS::(S3::Bucket|DynamoDB::Table|Logs::LogGroup)$/.test(resource.Type)) {
          owned.push(String(resolver.getAtt(id, 'Arn')).replace(/:\*$/, ''));
        }
        const walk = (value: unknown, path: string) => {
          if (value === null || typeof value !== 'object') return;
          for (const [key, child] of Object.entries(value)) {
            if (key !== 'PolicyDocument') walk(child, `${path}.${key}`);
            else documents.push({ name: `${id}${path}`, policy: resolver.resolve(child) });
          }
        };
        walk(resource.Properties, '');
      }
      t.ok(documents.length >= 3, `${file}: ${documents.length} policy documents`);
      t.same(wildcardProblems(documents, owned), [], `${file}: every Allow is exact`);
    }
  },
);

t.test("a stage's role reaches none of another stage's data", async (t) => {
  for (const { file } of TEMPLATES) {
    const dev = await appPolicies(file, { stage: 'dev' });
    const prod = await appPolicies(file, { stage: 'prod' });
    t.not(dev.tableName, prod.tableName);
    t.not(dev.bucketName, prod.bucketName);
    for (const call of apiCalls(prod)) {
      t.not(await decide(dev, call), 'Allowed', `${file}: dev may not ${call.action} in prod`);
    }
  }
});

t.test('the boot-time grants reach one object and one secret only', async (t) => {
  const ec2 = await appPolicies('ec2.yaml', { stage: 'dev', role: 'InstanceRole' });
  const artifacts = 'arn:aws:s3:::empdir-artifacts-test';
  t.equal(
    await decide(ec2, {
      action: 's3:GetObject',
      resource: `${artifacts}/releases/empdir-test.tar.gz`,
    }),
    'Allowed',
  );
  t.not(
    await decide(ec2, { action: 's3:GetObject', resource: `${artifacts}/releases/other.tar.gz` }),
    'Allowed',
  );
  t.not(
    await decide(ec2, {
      action: 's3:PutObject',
      resource: `${artifacts}/releases/empdir-test.tar.gz`,
    }),
    'Allowed',
  );
  const secret = ec2.identityPolicies
    .flatMap((p) => p.policy.Statement)
    .find((s) => s.Sid === 'SessionSecret');
  t.match(secret?.Resource, /^arn:aws:secretsmanager:.*:secret:/, 'the stack secret by its ARN');
  const other = `arn:aws:secretsmanager:${ec2.region}:${ec2.accountId}:secret:prod-db-XyZ123`;
  t.not(await decide(ec2, { action: 'secretsmanager:GetSecretValue', resource: other }), 'Allowed');
});

t.test(
  'every action granted to the API was used in the recorded run',
  { skip: recorded ? false : 'no test/fixtures/recorded-aws-calls.json yet' },
  async (t) => {
    const used = new Set(recorded?.map((c) => c.action));
    for (const grant of API_IAM_ACTIONS) t.ok(used.has(grant.action), `${grant.action} was used`);
  },
);

t.test('the check fails for a widened copy of the policies', async (t) => {
  const original = await appPolicies('ec2.yaml', { stage: 'dev' });
  const calls = apiCalls(original);
  const bucketArn = `arn:aws:s3:::${original.bucketName}`;
  const widenings: {
    name: string;
    widen: (p: ReturnType<typeof copyPolicies>) => void;
    caught: RegExp;
  }[] = [
    {
      name: 's3:* on the bucket',
      widen: (p) =>
        p.identityPolicies[0]?.policy.Statement.push({
          Effect: 'Allow',
          Action: 's3:*',
          Resource: [bucketArn, `${bucketArn}/*`],
        }),
      caught: /wildcard action "s3:\*"[\s\S]*s3:DeleteBucket/,
    },
    {
      name: 'Resource "*" for the photo actions',
      widen: (p) => {
        const photos = p.identityPolicies[0]?.policy.Statement.find(
          (s) => s.Sid === 'PhotoObjects',
        );
        if (photos) photos.Resource = '*';
      },
      caught: /wildcard resource "\*"[\s\S]*another bucket/,
    },
    {
      name: 'the photo prefix dropped',
      widen: (p) => {
        const photos = p.identityPolicies[0]?.policy.Statement.find(
          (s) => s.Sid === 'PhotoObjects',
        );
        if (photos) photos.Resource = `${bucketArn}/*`;
      },
      caught: /write outside employee-pic\/\): expected denied, got Allowed/,
    },
    {
      name: 'every index instead of byName',
      widen: (p) => {
        const index = p.identityPolicies[0]?.policy.Statement.find(
          (s) => s.Sid === 'EmployeesTableIndexes',
        );
        if (index) index.Resource = `${p.tableArn}/index/*`;
      },
      caught: /query an index the API does not use/,
    },
    {
      name: 'dynamodb:Scan added (no wildcard at all)',
      widen: (p) => {
        const table = p.identityPolicies[0]?.policy.Statement.find(
          (s) => s.Sid === 'EmployeesTable',
        );
        if (table) table.Action = [...[table.Action ?? []].flat(), 'dynamodb:Scan'];
      },
      caught: /scan the whole table/,
    },
    {
      name: 'iam:PassRole on any role',
      widen: (p) =>
        p.identityPolicies[0]?.policy.Statement.push({
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: '*',
        }),
      caught: /iam:PassRole on .*: expected denied, got Allowed/,
    },
    {
      name: 'the TLS deny removed from the bucket policy',
      widen: (p) => {
        p.bucketPolicy.Statement = p.bucketPolicy.Statement.filter(
          (s) => s.Sid !== 'DenyInsecureTransport',
        );
      },
      caught: /plain HTTP\): expected explicit, got Allowed/,
    },
    {
      name: 'a grant the API needs taken away',
      widen: (p) => {
        const photos = p.identityPolicies[0]?.policy.Statement.find(
          (s) => s.Sid === 'PhotoObjects',
        );
        if (photos) photos.Action = ['s3:GetObject', 's3:DeleteObject'];
      },
      caught: /s3:PutObject .*the API makes it\): expected allowed/,
    },
  ];
  t.same(await leastPrivilegeProblems(original, calls), [], 'the committed policies pass');
  for (const { name, widen, caught } of widenings) {
    const widened = copyPolicies(original);
    widen(widened);
    const problems = await leastPrivilegeProblems(widened, calls);
    t.match(problems.join('\n'), caught, `${name}: caught`);
  }
});
