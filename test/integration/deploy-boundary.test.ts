// The guardrails of issue 14 under IAM's own evaluation logic (@cloud-copilot/iam-simulate): who may
// reach the deployer role and how, what the execution role may create, that the permissions boundary
// caps every stack role, and that the app role's credentials fail away from home (another network,
// IMDSv1, SSE-C) while a browser's presigned photo GET still works.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import t from 'tap';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import {
  accountTemplate,
  boundaryPolicy,
  homeContext,
  TEST_BOUNDARY_ARN,
} from '../../deploy/lib/guardrail-policies.mjs';
import {
  type AppPolicies,
  appPolicies,
  type PolicyDocument,
} from '../../deploy/lib/template-policies.mjs';
import { API_IAM_ACTIONS, newPhotoKey } from '../../packages/shared/dist/index.js';
import { type AwsCall, copyPolicies, decide } from './deploy-policy-check.js';

const ACCOUNT = '123456789012';
const { resolver } = await accountTemplate();
const policiesOf = (id: string): { name: string; policy: PolicyDocument }[] =>
  resolver
    .resolve(resolver.resources[id].Properties)
    .Policies.map((p: { PolicyName: string; PolicyDocument: PolicyDocument }) => ({
      name: p.PolicyName,
      policy: p.PolicyDocument,
    }));
const roleProps = (id: string) => resolver.resolve(resolver.resources[id].Properties);
const deployerArn = String(resolver.getAtt('DeployerRole', 'Arn'));
const executionArn = String(resolver.getAtt('CloudFormationExecutionRole', 'Arn'));

interface Request {
  principal: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

async function simulate(
  identityPolicies: { name: string; policy: PolicyDocument }[],
  request: Request,
  resourcePolicy?: PolicyDocument,
): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  return result.resultType === 'error'
    ? `error ${JSON.stringify(result.errors)}`
    : result.overallResult;
}

const operator = `arn:aws:iam::${ACCOUNT}:user/alice`;
const withMfa = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '120' };

t.test('an operator can assume the deployer role with MFA, and do nothing else', async (t) => {
  const group = policiesOf('OperatorsGroup');
  const trust = roleProps('DeployerRole').AssumeRolePolicyDocument;
  const assume = (identity: typeof group, context: Record<string, string>) =>
    simulate(
      identity,
      { principal: operator, action: 'sts:AssumeRole', resource: deployerArn, context },
      trust,
    );
  t.equal(await assume(group, withMfa), 'Allowed', 'group member, fresh MFA');
  t.not(await assume(group, {}), 'Allowed', 'no MFA');
  t.not(await assume(group, { 'aws:MultiFactorAuthPresent': 'false' }), 'Allowed', 'MFA false');
  t.not(
    await assume(group, { ...withMfa, 'aws:MultiFactorAuthAge': '7200' }),
    'Allowed',
    'MFA sign-in older than an hour',
  );
  t.not(await assume([], withMfa), 'Allowed', 'not in the group');
  const elsewhere: [string, string][] = [
    ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`],
    ['sts:AssumeRole', executionArn],
    ['iam:CreateAccessKey', operator],
    ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/bob`],
    ['iam:AddUserToGroup', `arn:aws:iam::${ACCOUNT}:group/empdir-operators`],
    ['s3:GetObject', 'arn:aws:s3:::empdir-trail-123456789012-us-east-1/AWSLogs/x'],
    ['s3:ListAllMyBuckets', '*'],
    ['ec2:RunInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`],
    ['cloudformation:CreateStack', `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/x/1`],
    ['dynamodb:Scan', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/empdir-ec2-prod-employees`],
    ['cloudtrail:StopLogging', `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/empdir-account`],
  ];
  for (const [action, resource] of elsewhere) {
    t.not(
      await simulate(group, { principal: operator, action, resource, context: withMfa }),
      'Allowed',
      `the group alone cannot ${action}`,
    );
  }
});

t.test('the deployer deploys only through the execution role', async (t) => {
  const deployer = policiesOf('DeployerRole');
  const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/empdir-deployer/alice`;
  const stack = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/empdir-ec2-dev/0a1b`;
  const as = (action: string, resource: string, context: Record<string, string> = {}) =>
    simulate(deployer, { principal, action, resource, context });
  const viaRole = { 'cloudformation:RoleArn': executionArn };
  t.equal(await as('cloudformation:CreateChangeSet', stack, viaRole), 'Allowed');
  t.not(await as('cloudformation:CreateChangeSet', stack), 'Allowed', 'without --role-arn');
  t.not(
    await as('cloudformation:CreateChangeSet', stack, {
      'cloudformation:RoleArn': `arn:aws:iam::${ACCOUNT}:role/Admin`,
    }),
    'Allowed',
    'with another role',
  );
  t.not(
    await as(
      'cloudformation:UpdateStack',
      `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/empdir-account/1`,
      viaRole,
    ),
    'Allowed',
    'the account stack is not the deployer’s',
  );
  const pass = (service: string) =>
    as('iam:PassRole', executionArn, { 'iam:PassedToService': service });
  t.equal(await pass('cloudformation.amazonaws.com'), 'Allowed');
  t.not(
    await pass('ec2.amazonaws.com'),
    'Allowed',
    'the execution role goes to CloudFormation only',
  );
  const artifacts = String(resolver.getAtt('ArtifactBucket', 'Arn'));
  t.equal(await as('s3:PutObject', `${artifacts}/releases/empdir-1.tar.gz`), 'Allowed');
  for (const [action, resource] of [
    ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/bob`],
    ['iam:PutRolePolicy', deployerArn],
    ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/empdir-ec2-x`],
    [
      'dynamodb:DeleteTable',
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/empdir-ec2-prod-employees`,
    ],
    ['s3:DeleteBucket', 'arn:aws:s3:::empdir-trail-123456789012-eu-west-1'],
    ['cloudtrail:StopLogging', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/empdir-account`],
    ['budgets:ModifyBudget', `arn:aws:budgets::${ACCOUNT}:budget/empdir-daily-cost`],
  ] as const) {
    t.not(await as(action, resource), 'Allowed', `the deployer itself cannot ${action}`);
  }
});

t.test('the execution role creates stack roles only with the boundary', async (t) => {
  const execution = policiesOf('CloudFormationExecutionRole');
  const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/empdir-cfn-execution/AWSCloudFormation`;
  const role = `arn:aws:iam::${ACCOUNT}:role/empdir-ec2-dev-instance-eu-west-1`;
  const as = (action: string, resource: string, context: Record<string, string> = {}) =>
    simulate(execution, { principal, action, resource, context });
  const bounded = { 'iam:PermissionsBoundary': TEST_BOUNDARY_ARN };
  t.equal(await as('iam:CreateRole', role, bounded), 'Allowed');
  t.equal(await as('iam:PutRolePolicy', role, bounded), 'Allowed');
  t.not(await as('iam:CreateRole', role), 'Allowed', 'no boundary');
  t.not(
    await as('iam:CreateRole', role, {
      'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/wide-open`,
    }),
    'Allowed',
    'another boundary',
  );
  t.not(await as('iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/Admin`, bounded), 'Allowed');
  t.equal(await as('iam:DeleteRolePermissionsBoundary', role), 'ExplicitlyDenied');
  t.equal(await as('iam:CreatePolicyVersion', TEST_BOUNDARY_ARN), 'ExplicitlyDenied');
  t.not(await as('iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/bob`), 'Allowed');
  t.not(await as('iam:PassRole', deployerArn), 'Allowed', 'cannot hand out the deployer role');
});

/** The calls the API makes, on this stack's resources (as in deploy-least-privilege.test.ts). */
function apiCalls(p: AppPolicies): AwsCall[] {
  const bucket = `arn:aws:s3:::${p.bucketName}`;
  const arnOf = {
    table: p.tableArn,
    'table-indexes': `${p.tableArn}/index/byName`,
    bucket,
    'photo-objects': `${bucket}/${newPhotoKey()}`,
  };
  return API_IAM_ACTIONS.map((g) => ({ action: g.action, resource: arnOf[g.resource] }));
}

const TEMPLATES = ['ec2.yaml', 'serverless.yaml'] as const;

t.test('the boundary caps every stack role, whatever its own policies say', async (t) => {
  for (const file of TEMPLATES) {
    const original = await appPolicies(file, { stage: 'dev' });
    t.ok(original.boundary, `${file}: the role carries the boundary`);
    const everything = { ...structuredClone(original) };
    everything.identityPolicies = [
      ...everything.identityPolicies,
      {
        name: 'admin',
        policy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        },
      },
    ];
    for (const call of apiCalls(original)) {
      t.equal(await decide(everything, call), 'Allowed', `${file}: ${call.action} still works`);
    }
    for (const [action, resource] of [
      ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/intruder`],
      ['iam:PutRolePolicy', original.roleArn],
      ['dynamodb:DeleteTable', original.tableArn],
      ['dynamodb:Scan', original.tableArn],
      ['s3:DeleteBucket', `arn:aws:s3:::${original.bucketName}`],
      ['s3:PutBucketPolicy', `arn:aws:s3:::${original.bucketName}`],
      ['s3:GetObject', 'arn:aws:s3:::empdir-trail-123456789012-us-east-1/AWSLogs/x'],
      ['ec2:RunInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`],
      ['sts:AssumeRole', deployerArn],
      // The chain to the local clients' roles stays within the stacks' own roles (issue 11).
      ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`],
      ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/empdir-fn-dev-api`],
      ['kms:Decrypt', `arn:aws:kms:us-east-1:${ACCOUNT}:key/any`],
    ] as const) {
      t.not(
        await decide(everything, { action, resource }),
        'Allowed',
        `${file}: capped: ${action}`,
      );
    }
    const unbounded = { ...everything, boundary: undefined };
    t.equal(
      await decide(unbounded, {
        action: 'iam:CreateUser',
        resource: `arn:aws:iam::${ACCOUNT}:user/x`,
      }),
      'Allowed',
      `${file}: without the boundary the same role could (the check can fail)`,
    );
  }
});

t.test('lifted credentials fail away from home; a presigned photo GET does not', async (t) => {
  for (const file of TEMPLATES) {
    const p = await appPolicies(file, { stage: 'dev' });
    const calls = apiCalls(p);
    for (const call of calls) {
      t.equal(await decide(p, call), 'Allowed', `${file}: ${call.action} at home`);
      t.equal(
        await decide(p, call, {}, 'away'),
        'ExplicitlyDenied',
        `${file}: ${call.action} away`,
      );
    }
    const photo = calls.find((c) => c.action === 's3:GetObject');
    if (!photo) throw new Error('the API reads photos');
    const presigned = { 's3:authType': 'REST-QUERY-STRING' };
    t.equal(
      await decide(p, photo, presigned, 'away'),
      'Allowed',
      `${file}: a browser's presigned GET`,
    );
    t.equal(
      await decide(p, photo, { 's3:authType': 'REST-HEADER' }, 'away'),
      'ExplicitlyDenied',
      `${file}: a signed GET from elsewhere`,
    );
    const put = calls.find((c) => c.action === 's3:PutObject');
    if (!put) throw new Error('the API stores photos');
    t.equal(
      await decide(p, put, { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' }),
      'ExplicitlyDenied',
      `${file}: SSE-C refused`,
    );
    const open = copyPolicies(p);
    open.identityPolicies = open.identityPolicies.filter((x) => x.name !== 'network-boundary');
    t.equal(await decide(open, put, {}, 'away'), 'Allowed', `${file}: without it, the check fails`);
  }
  // Only the instance role's credentials come from IMDS (the API's role is chained from it).
  const instance = await appPolicies('ec2.yaml', { stage: 'dev', role: 'InstanceRole' });
  const region = `${instance.region}:${ACCOUNT}`;
  for (const call of [
    {
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::empdir-artifacts-test/releases/empdir-test.tar.gz',
    },
    {
      action: 'cloudformation:SignalResource',
      resource: `arn:aws:cloudformation:${region}:stack/empdir-ec2-dev/0`,
    },
  ]) {
    t.equal(
      await decide(instance, call),
      'Allowed',
      `ec2.yaml: instance role ${call.action} at boot`,
    );
    t.equal(
      await decide(instance, call, { 'ec2:RoleDelivery': '1.0' }),
      'ExplicitlyDenied',
      `ec2.yaml: ${call.action} with credentials IMDSv1 handed out`,
    );
    t.equal(
      await decide(instance, call, {}, 'away'),
      'ExplicitlyDenied',
      `ec2.yaml: instance role ${call.action} away`,
    );
  }
});

t.test('an instance can signal its own stack, and no other', async (t) => {
  const ec2 = await appPolicies('ec2.yaml', { stage: 'dev', role: 'InstanceRole' });
  const own = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/empdir-ec2-dev/0`;
  const other = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/empdir-ec2-prod/1`;
  const signal = (resource: string, where: 'home' | 'away' = 'home') =>
    decide(ec2, { action: 'cloudformation:SignalResource', resource }, {}, where);
  t.equal(await signal(own), 'Allowed');
  t.not(await signal(other), 'Allowed');
  t.equal(await signal(own, 'away'), 'ExplicitlyDenied', 'not from outside the VPC');
});

t.test(
  'only the boundary account.yaml creates is known, and a template without a home has none',
  async (t) => {
    await t.rejects(
      boundaryPolicy(`arn:aws:iam::${ACCOUNT}:policy/wide-open`),
      /is not the boundary deploy\/account\.yaml creates/,
    );
    t.equal(await boundaryPolicy(undefined), undefined);
    t.same(homeContext(createResolver({ Resources: {} })), {});
  },
);

t.test(
  'the VPC endpoints admit only this stack’s resources, whatever the role may do',
  async (t) => {
    const p = await appPolicies('ec2.yaml', { stage: 'dev' });
    const admin = {
      ...p,
      boundary: undefined,
      identityPolicies: [
        {
          name: 'admin',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
          },
        },
      ],
    };
    const region = `${p.region}:${ACCOUNT}`;
    for (const [action, resource] of [
      ['s3:GetObject', 'arn:aws:s3:::someone-elses-bucket/data.csv'],
      ['s3:PutObject', 'arn:aws:s3:::exfiltration-bucket/dump.json'],
      ['dynamodb:Scan', p.tableArn],
      ['dynamodb:GetItem', `arn:aws:dynamodb:${region}:table/empdir-ec2-prod-employees`],
      ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${region}:secret:prod-db-AbCdEf`],
      ['cloudformation:SignalResource', `arn:aws:cloudformation:${region}:stack/other/1`],
    ] as const) {
      t.not(
        await decide(admin, { action, resource }),
        'Allowed',
        `the endpoint refuses ${action} ${resource}`,
      );
    }
    const photo = `arn:aws:s3:::${p.bucketName}/${newPhotoKey()}`;
    t.equal(
      await decide(admin, { action: 's3:GetObject', resource: photo }),
      'Allowed',
      'a photo passes',
    );
    const open = { ...admin, endpointPolicies: {} };
    t.equal(
      await decide(open, { action: 'dynamodb:Scan', resource: p.tableArn }),
      'Allowed',
      'without the endpoint policy the same call passes (the check can fail)',
    );
  },
);
