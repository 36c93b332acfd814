// deploy/account.yaml, the once-per-account stack: it validates with no error and no warning, and
// the guardrails issue 14 asks for are really in it (what IAM makes of them: deploy-boundary.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegoEngine, TemplateFile } from '@aws/cloudformation-validate';
import t from 'tap';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

const text = readFileSync(join(DEPLOY_DIR, 'account.yaml'), 'utf8');
const template = parseTemplate(text);
const resources = template.Resources;
const resolver = createResolver(template, { parameters: { AlertEmail: 'ops@example.com' } });
const props = (id: string) => resolver.resolve(resources[id].Properties);

/** A template held in memory, so a broken copy can be validated without writing it anywhere. */
class TemplateText extends TemplateFile {
  constructor(private readonly body: string) {
    super(join(DEPLOY_DIR, 'account.yaml'));
  }
  override readBytes(): Uint8Array {
    return Buffer.from(this.body);
  }
}

const engine = new RegoEngine();
t.teardown(() => engine.free());
const serious = (body: string, parameterOverrides: Record<string, string>) =>
  engine
    .validateStandard(new TemplateText(body), { parameterOverrides })
    .diagnostics.filter((d) => d.severity !== 'INFO' && d.severity !== 'DEBUG')
    .map((d) => `${d.severity} ${d.ruleId} line ${d.startLine}: ${d.message}`);

t.test('account.yaml validates with zero errors and zero warnings', async (t) => {
  const overrides = { AlertEmail: 'ops@example.com', DailyBudgetUsd: '25' };
  t.same(serious(text, overrides), [], 'with an alert address and a budget');
  const broken = text.replace('MaxSessionDuration: 3600', 'MaxSessionDuration: 60');
  t.not(serious(broken, overrides), [], 'a broken copy is reported');
});

t.test('the deployer role needs a fresh MFA sign-in and lasts one hour', async (t) => {
  const role = props('DeployerRole');
  t.equal(role.MaxSessionDuration, 3600);
  t.same(role.AssumeRolePolicyDocument.Statement, [
    {
      Sid: 'OperatorsWithMfa',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'sts:AssumeRole',
      Condition: {
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' },
      },
    },
  ]);
  t.equal(role.ManagedPolicyArns, undefined, 'no managed policy, AdministratorAccess least of all');
  const allows = role.Policies.flatMap(
    (p: { PolicyDocument: { Statement: { Action: string | string[] }[] } }) =>
      p.PolicyDocument.Statement,
  );
  const actions = allows.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
  t.notOk(
    actions.some((a: string) => a === '*' || a.endsWith(':*')),
    'no service-wide action',
  );
  t.notOk(
    actions.some((a: string) => a.startsWith('iam:') && a !== 'iam:PassRole'),
    'no IAM change',
  );
});

t.test('the operators group may only assume the deployer role', async (t) => {
  const group = props('OperatorsGroup');
  t.equal(group.ManagedPolicyArns, undefined);
  t.same(
    group.Policies.flatMap(
      (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
    ),
    [
      {
        Sid: 'AssumeDeployerRole',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::123456789012:role/empdir-deployer',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ],
  );
  const others = Object.values<{ Type: string; Properties: Record<string, unknown> }>(
    resources,
  ).filter((r) => /^AWS::IAM::(Policy|ManagedPolicy)$/.test(r.Type) && r.Properties.Groups);
  t.same(others, [], 'no other policy is attached to the group');
});

t.test('every stack role must carry the boundary the execution role enforces', async (t) => {
  const boundary = String(resolver.ref('StackPermissionsBoundary'));
  t.equal(boundary, 'arn:aws:iam::123456789012:policy/empdir-stack-boundary');
  const statements = props('CloudFormationExecutionRole').Policies[0].PolicyDocument.Statement;
  const create = statements.find((s: { Sid: string }) => s.Sid === 'RolesOnlyWithBoundary');
  t.same(create.Condition, { StringEquals: { 'iam:PermissionsBoundary': boundary } });
  t.match(create.Action, ['iam:AttachRolePolicy', 'iam:CreateRole']);
  const keep = statements.find((s: { Sid: string }) => s.Sid === 'KeepTheBoundary');
  t.match(keep, { Effect: 'Deny', Action: ['iam:CreatePolicyVersion'] });
  t.ok(keep.Action.includes('iam:DeleteRolePermissionsBoundary'));
  t.same(props('CloudFormationExecutionRole').AssumeRolePolicyDocument.Statement[0].Principal, {
    Service: 'cloudformation.amazonaws.com',
  });
});

t.test(
  'CloudTrail: every Region, validated, encrypted, in CloudWatch Logs, with data events',
  async (t) => {
    const trail = props('Trail');
    t.match(trail, {
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      // The trail's own key (the resolver now gives a KMS key its ARN).
      KMSKeyId: /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/TrailKey-physical-id$/,
      CloudWatchLogsLogGroupArn: /^arn:aws:logs:.*:log-group:\/empdir\/cloudtrail:\*$/,
      CloudWatchLogsRoleArn: /:role\/empdir-cloudtrail-logs-/,
    });
    const selectors = trail.AdvancedEventSelectors.map(
      (s: { FieldSelectors: { Field: string; Equals?: string[]; StartsWith?: string[] }[] }) =>
        Object.fromEntries(s.FieldSelectors.map((f) => [f.Field, f.Equals ?? f.StartsWith])),
    );
    t.same(selectors, [
      { eventCategory: ['Management'] },
      {
        eventCategory: ['Data'],
        'resources.type': ['AWS::S3::Object'],
        'resources.ARN': ['arn:aws:s3:::empdir-ec2-', 'arn:aws:s3:::empdir-fn-'],
      },
      {
        eventCategory: ['Data'],
        'resources.type': ['AWS::DynamoDB::Table'],
        'resources.ARN': [
          'arn:aws:dynamodb:us-east-1:123456789012:table/empdir-ec2-',
          'arn:aws:dynamodb:us-east-1:123456789012:table/empdir-fn-',
        ],
      },
    ]);
    t.equal(props('TrailKey').EnableKeyRotation, true);
    t.equal(props('TrailLogGroup').RetentionInDays, 365);
    for (const id of ['TrailBucket', 'TrailKey', 'TrailLogGroup']) {
      t.equal(resources[id].DeletionPolicy, 'Retain', `${id} outlives the stack`);
    }
  },
);

t.test('the trail and artefact buckets: versioned, private, TLS-only', async (t) => {
  for (const [bucket, policy] of [
    ['TrailBucket', 'TrailBucketPolicy'],
    ['ArtifactBucket', 'ArtifactBucketPolicy'],
  ] as const) {
    const b = props(bucket);
    t.same(b.VersioningConfiguration, { Status: 'Enabled' }, `${bucket} versioned`);
    t.same(Object.values(b.PublicAccessBlockConfiguration), [true, true, true, true]);
    t.equal(resources[bucket].DeletionPolicy, 'Retain');
    const deny = props(policy).PolicyDocument.Statement.find(
      (s: { Sid: string }) => s.Sid === 'DenyInsecureTransport',
    );
    t.match(deny, {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    t.equal(deny.Resource.length, 2, `${policy}: the bucket and its objects`);
  }
});

t.test('a daily cost budget (10 USD by default) mails at 80 % and 100 %', async (t) => {
  t.equal(template.Parameters.DailyBudgetUsd.Default, 10);
  const budget = props('DailyCostBudget');
  t.match(budget.Budget, {
    BudgetType: 'COST',
    TimeUnit: 'DAILY',
    BudgetLimit: { Amount: 10, Unit: 'USD' },
  });
  t.same(
    budget.NotificationsWithSubscribers.map(
      (n: {
        Notification: { Threshold: number; ThresholdType: string };
        Subscribers: { SubscriptionType: string; Address: string }[];
      }) => [
        n.Notification.Threshold,
        n.Notification.ThresholdType,
        n.Subscribers.map((s) => `${s.SubscriptionType} ${s.Address}`),
      ],
    ),
    [
      [80, 'PERCENTAGE', ['EMAIL ops@example.com']],
      [100, 'PERCENTAGE', ['EMAIL ops@example.com']],
    ],
  );
});
