// The guardrails issue 14 puts into deploy/ec2.yaml (and, where they apply, serverless.yaml) are
// really in the templates: endpoint policies, a pinned artefact, rollouts that wait for readiness,
// alarms to a topic, access logs, deletion protection in prod, commented network ACLs, photos kept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { endpointPolicies } from '../../deploy/lib/guardrail-policies.mjs';
import { TEST_PARAMETERS } from '../../deploy/lib/template-policies.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';
import { API_IAM_ACTIONS } from '../../packages/shared/dist/index.js';

const text = readFileSync(join(DEPLOY_DIR, 'ec2.yaml'), 'utf8');
const template = parseTemplate(text);
/** parseTemplate's loose typing, so nested properties read without casts. */
type Loose = ReturnType<typeof parseTemplate>;
const resources: Loose = template.Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const at = (parameters: Record<string, string> = {}) =>
  createResolver(template, { parameters: { ...TEST_PARAMETERS, Stage: 'dev', ...parameters } });

t.test('every VPC endpoint has a policy, and the app’s own actions pass it', async (t) => {
  const endpoints = ofType('AWS::EC2::VPCEndpoint');
  t.equal(endpoints.length, 5, 'S3, DynamoDB, Secrets Manager, CloudFormation, STS');
  const policies = endpointPolicies(at());
  t.same(Object.keys(policies).sort(), [
    'cloudformation',
    'dynamodb',
    's3',
    'secretsmanager',
    'sts',
  ]);
  // The daemon's chain to the API's role (issue 11) passes, and nothing else of STS.
  t.same(policies.sts?.Statement, [
    {
      Sid: 'ClientRoles',
      Effect: 'Allow',
      Principal: '*',
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      Resource: String(at().getAtt('ApiRole', 'Arn')),
    },
  ]);
  for (const [service, policy] of Object.entries(policies)) {
    for (const statement of policy.Statement) {
      t.equal(statement.Effect, 'Allow', `${service}/${statement.Sid}`);
      t.not(statement.Resource, '*', `${service}/${statement.Sid}: a named resource`);
    }
  }
  const granted = (service: string) =>
    policies[service]?.Statement.flatMap((s) => [s.Action ?? []].flat()) ?? [];
  for (const { action } of API_IAM_ACTIONS) {
    const [service = ''] = action.split(':');
    t.ok(granted(service).includes(action), `${action} passes the ${service} endpoint`);
  }
});

t.test('the artefact is pinned by its digest', async (t) => {
  const digest = template.Parameters.ArtifactSha256;
  t.equal(digest.Default, undefined, 'required');
  t.equal(digest.AllowedPattern, '^[0-9a-f]{64}$');
});

t.test(
  'creation and rollouts wait for ready instances; the ALB check decides health',
  async (t) => {
    const group = resources.AutoScalingGroup;
    t.same(group.CreationPolicy, {
      ResourceSignal: { Count: { Ref: 'MinInstances' }, Timeout: 'PT15M' },
    });
    t.match(group.UpdatePolicy.AutoScalingRollingUpdate, { WaitOnResourceSignals: true });
    t.equal(group.Properties.HealthCheckType, 'ELB');
    const userData = Buffer.from(
      at().resolve(resources.LaunchTemplate.Properties).LaunchTemplateData.UserData,
      'base64',
    ).toString('utf8');
    t.match(userData, "export CFN_STACK='empdir-test'");
    t.match(userData, /wait_until_ready\nsignal 0\n/);
  },
);

t.test(
  'alarms reach the SNS topic; the load balancer logs and, in prod, refuses deletion',
  async (t) => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    t.same(alarms.map(([id]) => id).sort(), [
      'LoadBalancer5xxAlarm',
      'Target5xxAlarm',
      'UnhealthyHostsAlarm',
    ]);
    for (const [id, alarm] of alarms) {
      t.same(alarm.Properties.AlarmActions, [{ Ref: 'AlarmTopic' }], `${id} notifies the topic`);
      t.equal(alarm.Properties.ActionsEnabled, true);
    }
    const attributes = (stage: string) =>
      Object.fromEntries(
        at({ Stage: stage })
          .resolve(resources.LoadBalancer.Properties)
          .LoadBalancerAttributes.map((a: { Key: string; Value: string }) => [a.Key, a.Value]),
      );
    t.match(attributes('dev'), {
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.bucket': 'empdir-ec2-dev-alb-logs-123456789012-us-east-1',
      'deletion_protection.enabled': 'false',
    });
    t.equal(attributes('prod')['deletion_protection.enabled'], 'true');
    const delivery = (region: string) =>
      createResolver(template, {
        region,
        parameters: { ...TEST_PARAMETERS, Stage: 'dev' },
      }).resolve(resources.AccessLogsBucketPolicy.Properties).PolicyDocument.Statement[0].Principal;
    t.same(delivery('eu-west-1'), { AWS: 'arn:aws:iam::156460612806:root' }, 'an older Region');
    t.same(
      delivery('ap-southeast-5'),
      { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      'a newer Region',
    );
  },
);

t.test('network ACLs on every subnet, each rule with a comment saying why', async (t) => {
  const associations = ofType('AWS::EC2::SubnetNetworkAclAssociation')
    .map(([, r]) => r.Properties.SubnetId.Ref)
    .sort();
  t.same(associations, ['PrivateSubnetA', 'PrivateSubnetB', 'PublicSubnetA', 'PublicSubnetB']);
  const lines = text.split('\n');
  const entries = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::EC2::NetworkAclEntry',
  );
  t.ok(entries.length >= 8, `${entries.length} rules`);
  for (const [id, entry] of entries) {
    const line = lines.indexOf(`  ${id}:`);
    t.match(lines[line - 1], /^ {2}# \S/, `${id} has a comment`);
    t.equal(entry.Properties.RuleAction, 'allow', `${id}: only allows; the ACL's last rule denies`);
    t.equal(entry.Properties.Protocol, 6, `${id}: TCP only`);
  }
});

t.test('the network ACLs let the NAT path to Cognito through, hop by hop', async (t) => {
  const vpc = '10.40.0.0/16';
  const cognito = '198.51.100.7';
  const inCidr = (ip: string, cidr: string) => {
    const [base = '', bits = '32'] = cidr.split('/');
    const n = (a: string) => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
  };
  const resolver = at({ VpcCidr: vpc, AllowedIngressCidr: '203.0.113.0/24' });
  // Whether the ACL lets a TCP packet through, outbound to (or inbound from) `ip` on `port`.
  const admits = (acl: string, egress: boolean, ip: string, port: number) =>
    ofType('AWS::EC2::NetworkAclEntry')
      .map(([, r]) => resolver.resolve(r.Properties))
      .some(
        (p) =>
          p.NetworkAclId === resolver.ref(acl) &&
          p.Egress === egress &&
          inCidr(ip, p.CidrBlock) &&
          p.PortRange.From <= port &&
          port <= p.PortRange.To,
      );
  const instance = '10.40.2.10';
  t.ok(admits('PrivateNetworkAcl', true, cognito, 443), 'leaves the private subnet on 443');
  t.ok(admits('PublicNetworkAcl', false, instance, 443), 'enters the NAT subnet on 443');
  t.ok(admits('PublicNetworkAcl', true, cognito, 443), 'the NAT forwards it to the internet');
  for (const port of [1024, 40000, 65535]) {
    t.ok(admits('PublicNetworkAcl', false, cognito, port), `the answer reaches the NAT (${port})`);
    t.ok(admits('PublicNetworkAcl', true, instance, port), `the NAT hands it on (${port})`);
    t.ok(
      admits('PrivateNetworkAcl', false, cognito, port),
      `it enters the private subnet (${port})`,
    );
  }
  t.notOk(admits('PublicNetworkAcl', false, cognito, 3389), 'no remote-administration port');
  t.notOk(admits('PublicNetworkAcl', true, cognito, 80), 'plain HTTP does not leave');
});

t.test('photos are versioned, kept on stack deletion, and refuse SSE-C', async (t) => {
  for (const file of ['ec2.yaml', 'serverless.yaml']) {
    const parsed = parseTemplate(readFileSync(join(DEPLOY_DIR, file), 'utf8')).Resources;
    t.equal(parsed.PhotosBucket.DeletionPolicy, 'RetainExceptOnCreate', file);
    t.same(parsed.PhotosBucket.Properties.VersioningConfiguration, { Status: 'Enabled' });
    t.match(parsed.PhotosBucket.Properties.LifecycleConfiguration.Rules, [
      {},
      { NoncurrentVersionExpiration: { NoncurrentDays: Number } },
    ]);
    const sseC = parsed.PhotosBucketPolicy.Properties.PolicyDocument.Statement.find(
      (s: { Sid: string }) => s.Sid === 'DenyCustomerProvidedKeys',
    );
    t.match(sseC, { Effect: 'Deny', Action: 's3:PutObject' });
  }
});

t.test('serverless.yaml: the boundary, the network fence and alarms to a topic', async (t) => {
  const fn = parseTemplate(readFileSync(join(DEPLOY_DIR, 'serverless.yaml'), 'utf8')).Resources;
  t.same(fn.ApiFunctionRole.Properties.PermissionsBoundary, { Ref: 'PermissionsBoundaryArn' });
  const fence = fn.ApiFunctionRole.Properties.Policies.find(
    (p: { PolicyName: string }) => p.PolicyName === 'network-boundary',
  );
  t.match(fence.PolicyDocument.Statement, [
    { Effect: 'Deny', NotAction: 's3:GetObject' },
    { Effect: 'Deny', Action: 's3:GetObject' },
  ]);
  const alarms = Object.entries<Loose>(fn).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
  t.same(alarms.map(([id]) => id).sort(), [
    'Api5xxAlarm',
    'FunctionErrorsAlarm',
    'FunctionThrottlesAlarm',
  ]);
  for (const [id, alarm] of alarms) {
    t.same(alarm.Properties.AlarmActions, [{ Ref: 'AlarmTopic' }], `${id} notifies the topic`);
  }
});
