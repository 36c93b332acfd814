// The templates pass @aws/cloudformation-validate offline (schemas, cfn-lint rules) with no error
// and no warning, and the properties this deployment relies on are really there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RegoEngine,
  type StandardDiagnostic,
  TemplateFile,
  type ValidateConfig,
} from '@aws/cloudformation-validate';
import t from 'tap';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { SIGN_IN_SETTINGS } from '../../deploy/lib/sign-in.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

const read = (file: string) => readFileSync(join(DEPLOY_DIR, file), 'utf8');

/** A template held in memory, so a broken copy can be validated without writing it anywhere. */
class TemplateText extends TemplateFile {
  constructor(
    path: string,
    private readonly text: string,
  ) {
    super(path);
  }
  override readBytes(): Uint8Array {
    return Buffer.from(this.text);
  }
}

const engine = new RegoEngine();
t.teardown(() => engine.free());

function findings(file: string, text: string, config: ValidateConfig = {}) {
  const report = engine.validateStandard(new TemplateText(join(DEPLOY_DIR, file), text), config);
  const serious = report.diagnostics.filter((d) => d.severity !== 'INFO' && d.severity !== 'DEBUG');
  const show = (d: StandardDiagnostic) =>
    `${d.severity} ${d.ruleId} line ${d.startLine}: ${d.message}`;
  return { report, serious: serious.map(show), infos: report.diagnostics.length - serious.length };
}

const PROD_WITH_EVERYTHING = {
  Stage: 'prod',
  EnableCloudTrail: 'true',
  CertificateArn:
    'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  DomainName: 'directory.example.com',
  MachineClientRole: 'editor',
};

t.test('both templates validate with zero errors and zero warnings', async (t) => {
  for (const file of ['ec2.yaml', 'serverless.yaml']) {
    for (const config of [{}, { parameterOverrides: PROD_WITH_EVERYTHING }]) {
      const { report, serious, infos } = findings(file, read(file), config);
      t.equal(report.status, 'OK', `${file}: analysis complete`);
      t.same(
        serious,
        [],
        `${file} ${config.parameterOverrides ? 'prod, trail, HTTPS' : 'defaults'}`,
      );
      t.comment(`${file}: ${infos} informational notes (create-only properties and the like)`);
    }
  }
});

/** A copy of a template with one line changed; throws unless exactly that one line was there. */
function brokenCopy(file: string, from: string, to: string): string {
  const text = read(file);
  const broken = text.replace(from, to);
  if (text.split(from).length !== 2)
    throw new Error(`${file}: "${from}" is not there exactly once`);
  return broken;
}

t.test('the validator does fail a broken template', async (t) => {
  const imds = findings(
    'ec2.yaml',
    brokenCopy('ec2.yaml', 'HttpTokens: required', 'HttpTokens: sometimes'),
  );
  t.equal(imds.serious.length, 1, 'one finding');
  t.match(
    imds.serious[0],
    /^WARN W3030 line \d+: 'sometimes' is not one of \['optional', 'required'\]$/,
    'an invalid HttpTokens value is reported',
  );
  const runtime = findings(
    'serverless.yaml',
    brokenCopy('serverless.yaml', 'Runtime: nodejs22.x', 'Runtime: nodejs99.x'),
  );
  t.equal(runtime.serious.length, 1, 'one finding');
  t.match(
    runtime.serious[0],
    /^WARN W3030 line \d+: 'nodejs99\.x' is not one of \[.*'nodejs22\.x'/,
    'an unknown runtime is reported',
  );
});

const ec2 = parseTemplate(read('ec2.yaml'));
const resources = ec2.Resources;

t.test('instances require IMDSv2 with a hop limit of 1', async (t) => {
  const data = resources.LaunchTemplate.Properties.LaunchTemplateData;
  t.same(data.MetadataOptions, {
    HttpEndpoint: 'enabled',
    HttpTokens: 'required',
    HttpPutResponseHopLimit: 1,
    InstanceMetadataTags: 'disabled',
  });
  const group = resources.AutoScalingGroup.Properties;
  t.same(group.LaunchTemplate, {
    LaunchTemplateId: { Ref: 'LaunchTemplate' },
    Version: { 'Fn::GetAtt': ['LaunchTemplate', 'LatestVersionNumber'] },
  });
  const instances = Object.values<{ Type: string }>(resources).filter(
    (r) => r.Type === 'AWS::EC2::Instance',
  );
  t.same(instances, [], 'no instance bypasses the launch template');
});

t.test('only the load balancer reaches the instances, and checks /readyz', async (t) => {
  const instanceGroup = resources.InstanceSecurityGroup.Properties;
  t.equal(instanceGroup.SecurityGroupIngress, undefined, 'no inline ingress');
  const ingress = Object.values<{ Type: string; Properties: Record<string, unknown> }>(resources)
    .filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress')
    .filter((r) => JSON.stringify(r.Properties.GroupId) === '{"Ref":"InstanceSecurityGroup"}');
  t.same(
    ingress.map((r) => [
      r.Properties.SourceSecurityGroupId,
      r.Properties.FromPort,
      r.Properties.ToPort,
    ]),
    [[{ Ref: 'LoadBalancerSecurityGroup' }, 8080, 8080]],
  );
  const target = resources.TargetGroup.Properties;
  t.match(target, {
    Port: 8080,
    Protocol: 'HTTP',
    HealthCheckPath: '/readyz',
    TargetType: 'instance',
  });
  const group = resources.AutoScalingGroup.Properties;
  t.same(group.VPCZoneIdentifier, [{ Ref: 'PrivateSubnetA' }, { Ref: 'PrivateSubnetB' }]);
  t.equal(
    group.HealthCheckType,
    'ELB',
    'an instance the load balancer finds unhealthy is replaced',
  );
  t.same(resources.LoadBalancer.Properties.Subnets, [
    { Ref: 'PublicSubnetA' },
    { Ref: 'PublicSubnetB' },
  ]);
  const scaling = resources.CpuTargetTracking.Properties;
  t.equal(
    scaling.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType,
    'ASGAverageCPUUtilization',
  );
  const routes = Object.values<{ Type: string; Properties: Record<string, unknown> }>(resources)
    .filter((r) => r.Type === 'AWS::EC2::Route')
    .map((r) => [r.Properties.RouteTableId, r.Properties.GatewayId ?? r.Properties.NatGatewayId]);
  t.same(
    routes,
    [
      [{ Ref: 'PrivateRouteTable' }, { Ref: 'NatGateway' }],
      [{ Ref: 'PublicRouteTable' }, { Ref: 'InternetGateway' }],
    ],
    'the private subnets reach the internet (Cognito) only out through the NAT gateway',
  );
});

t.test('the photos bucket is private, encrypted, TLS-only and tidies failed uploads', async (t) => {
  for (const file of ['ec2.yaml', 'serverless.yaml']) {
    const template = parseTemplate(read(file));
    const bucket = template.Resources.PhotosBucket.Properties;
    t.same(bucket.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    t.ok(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    );
    t.match(bucket.LifecycleConfiguration.Rules, [
      { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]);
    const deny = template.Resources.PhotosBucketPolicy.Properties.PolicyDocument.Statement.find(
      (s: { Sid: string }) => s.Sid === 'DenyInsecureTransport',
    );
    t.match(deny, {
      Effect: 'Deny',
      Principal: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  }
});

t.test('CloudTrail is optional and records management events in its own bucket', async (t) => {
  const trailResources = ['TrailBucket', 'TrailBucketPolicy', 'Trail'];
  for (const id of trailResources)
    t.equal(resources[id].Condition, 'CreateTrail', `${id} only on request`);
  t.same(ec2.Conditions.CreateTrail, { 'Fn::Equals': [{ Ref: 'EnableCloudTrail' }, 'true'] });
  const trail = resources.Trail.Properties;
  t.match(trail, { IsLogging: true, IsMultiRegionTrail: true, EnableLogFileValidation: true });
  t.same(trail.EventSelectors, [{ ReadWriteType: 'All', IncludeManagementEvents: true }]);
  t.same(trail.S3BucketName, { Ref: 'TrailBucket' });
  const statements = resources.TrailBucketPolicy.Properties.PolicyDocument.Statement;
  t.same(
    statements.map((s: { Sid: string }) => s.Sid),
    ['CloudTrailAclCheck', 'CloudTrailWrite', 'DenyInsecureTransport'],
  );
});

t.test('the Lambda runs the API handler on nodejs22.x behind an HTTP API', async (t) => {
  const fn = parseTemplate(read('serverless.yaml')).Resources;
  t.match(fn.ApiFunction.Properties, { Runtime: 'nodejs22.x', Handler: 'dist/lambda.handler' });
  t.same(
    Object.keys(fn.ApiFunction.Properties.Environment.Variables).sort(),
    [
      'NODE_OPTIONS',
      'PHOTOS_BUCKET',
      'SESSION_SECRET',
      'TABLE_NAME',
      ...Object.keys(SIGN_IN_SETTINGS),
    ].sort(),
  );
  t.match(fn.HttpApiIntegration.Properties, {
    IntegrationType: 'AWS_PROXY',
    PayloadFormatVersion: '2.0',
  });
  t.match(fn.ApiInvokePermission.Properties, { Principal: 'apigateway.amazonaws.com' });
});

t.test('every named resource carries the stage', async (t) => {
  for (const file of ['ec2.yaml', 'serverless.yaml']) {
    const template = parseTemplate(read(file));
    for (const [id, resource] of Object.entries<{ Properties?: Record<string, unknown> }>(
      template.Resources,
    )) {
      for (const [key, value] of Object.entries(resource.Properties ?? {})) {
        if (
          !/Name$/.test(key) ||
          ['DeviceName', 'ServiceName'].includes(key) ||
          typeof value !== 'object'
        )
          continue;
        const text = JSON.stringify(value);
        if (text.includes('"Ref"')) continue;
        t.match(text, /\$\{Stage\}/, `${file} ${id}.${key}`);
      }
    }
  }
});
