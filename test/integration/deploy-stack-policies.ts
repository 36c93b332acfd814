// Every policy one template creates, resolved for one set of parameters: each role's identity
// policies, and the resource policies (bucket policies, role trust, Lambda permissions) by the
// ARN they guard. Anything that looks like a policy but is not understood here is reported, so a
// new kind of policy cannot slip past the exact-grant check.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { asList, type PolicyDocument } from '../../deploy/lib/template-policies.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

export interface RolePolicies {
  readonly id: string;
  /** A group is asked about as one of its members. */
  readonly kind?: 'group';
  readonly arn: string;
  readonly sessionArn: string;
  readonly identityPolicies: { name: string; policy: PolicyDocument }[];
}

export interface StackPolicies {
  readonly resolver: ReturnType<typeof createResolver>;
  readonly roles: RolePolicies[];
  /** Resource policies by the ARN they are attached to (a bucket's also covers its objects). */
  readonly resourcePolicies: Map<string, PolicyDocument>;
  /** Service principals some policy names. */
  readonly services: Set<string>;
  /** Policies this collector cannot evaluate: must stay empty. */
  readonly unhandled: string[];
}

/** Types that carry a policy without a policy-named property (AWS::IAM::* policies are handled below). */
const RESOURCE_POLICY_TYPES =
  /::(BucketPolicy|QueuePolicy|TopicPolicy|ResourcePolicy|Permission|AccessPointPolicy|UserPolicy|GroupPolicy)$|^AWS::KMS::Key$/;
const POLICY_KEYS = /^(PolicyDocument|AssumeRolePolicyDocument|KeyPolicy|ResourcePolicy|Policy)$/;

function hasPolicyKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, child]) => POLICY_KEYS.test(key) || hasPolicyKey(child));
}

export async function stackPolicies(
  file: string,
  parameters: Record<string, string>,
): Promise<StackPolicies> {
  const template = parseTemplate(await readFile(join(DEPLOY_DIR, file), 'utf8'));
  const resolver = createResolver(template, { parameters });
  const { accountId } = { accountId: String(resolver.ref('AWS::AccountId')) };
  const roles: RolePolicies[] = [];
  const resourcePolicies = new Map<string, PolicyDocument>();
  const unhandled: string[] = [];
  const attach = (arn: string, statements: PolicyDocument['Statement']) => {
    const existing = resourcePolicies.get(arn);
    if (existing) existing.Statement.push(...statements);
    else resourcePolicies.set(arn, { Version: '2012-10-17', Statement: [...statements] });
  };
  const created = Object.entries<{ Type: string; Properties?: unknown }>(template.Resources).filter(
    ([id]) => resolver.isCreated(id),
  );
  for (const [id, resource] of created) {
    // Only the policy-bearing types are resolved: the rest may use intrinsics the resolver lacks.
    const resolvedProps = () => resolver.resolve(resource.Properties ?? {});
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const p = resolvedProps();
        // A permissions boundary only narrows what the role's own policies allow (like an endpoint
        // policy), so the check of those policies still bounds the role; attached ones would widen it.
        if (p.ManagedPolicyArns?.length) unhandled.push(`${id}: managed`);
        const arn = String(resolver.getAtt(id, 'Arn'));
        roles.push({
          id,
          arn,
          sessionArn: `arn:aws:sts::${accountId}:assumed-role/${resolver.ref(id)}/session`,
          identityPolicies: (p.Policies ?? []).map(
            (x: { PolicyName: string; PolicyDocument: PolicyDocument }) => ({
              name: x.PolicyName,
              policy: x.PolicyDocument,
            }),
          ),
        });
        attach(arn, p.AssumeRolePolicyDocument.Statement);
        break;
      }
      case 'AWS::IAM::Group': {
        const p = resolvedProps();
        if (p.ManagedPolicyArns?.length) unhandled.push(`${id}: managed`);
        roles.push({
          id,
          kind: 'group',
          arn: String(resolver.getAtt(id, 'Arn')),
          sessionArn: `arn:aws:iam::${accountId}:user/member-of-${resolver.ref(id)}`,
          identityPolicies: (p.Policies ?? []).map(
            (x: { PolicyName: string; PolicyDocument: PolicyDocument }) => ({
              name: x.PolicyName,
              policy: x.PolicyDocument,
            }),
          ),
        });
        break;
      }
      case 'AWS::KMS::Key': {
        const p = resolvedProps();
        attach(String(resolver.getAtt(id, 'Arn')), p.KeyPolicy.Statement);
        break;
      }
      case 'AWS::S3::BucketPolicy': {
        const p = resolvedProps();
        attach(`arn:aws:s3:::${p.Bucket}`, p.PolicyDocument.Statement);
        break;
      }
      case 'AWS::SNS::TopicPolicy': {
        const p = resolvedProps();
        for (const topic of asList(p.Topics)) attach(String(topic), p.PolicyDocument.Statement);
        break;
      }
      case 'AWS::Lambda::Permission': {
        const p = resolvedProps();
        const fn = String(p.FunctionName).startsWith('arn:')
          ? String(p.FunctionName)
          : `arn:aws:lambda:${resolver.ref('AWS::Region')}:${accountId}:function:${p.FunctionName}`;
        const condition: Record<string, Record<string, string>> = {};
        if (p.SourceArn) condition.ArnLike = { 'AWS:SourceArn': p.SourceArn };
        if (p.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': p.SourceAccount };
        const principal = String(p.Principal).includes('.')
          ? { Service: p.Principal }
          : { AWS: p.Principal };
        attach(fn, [
          {
            Sid: id,
            Effect: 'Allow',
            Principal: principal,
            Action: p.Action,
            Resource: fn,
            Condition: condition,
          },
        ]);
        break;
      }
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::RolePolicy':
        // Collected in the second pass below, with the roles they attach to.
        break;
      case 'AWS::EC2::VPCEndpoint':
        // An endpoint policy can only narrow what identity and resource policies allow.
        break;
      default:
        if (RESOURCE_POLICY_TYPES.test(resource.Type) || hasPolicyKey(resource.Properties)) {
          unhandled.push(`${id} (${resource.Type})`);
        }
    }
  }
  for (const [id, resource] of created) {
    if (!/^AWS::IAM::(Policy|RolePolicy|ManagedPolicy)$/.test(resource.Type)) continue;
    const p = resolver.resolve(resource.Properties);
    const names = [...asList(p.Roles), ...asList(p.RoleName)];
    // A managed policy attached to nothing is a permissions boundary: by itself it grants nothing.
    if (!names.length && !asList(p.Users).length && !asList(p.Groups).length) continue;
    const targets = roles.filter((r) => names.includes(String(resolver.ref(r.id))));
    if (targets.length === 0 || asList(p.Users).length || asList(p.Groups).length) {
      unhandled.push(`${id}: attached to something other than the stack's roles`);
    }
    for (const role of targets)
      role.identityPolicies.push({ name: p.PolicyName ?? id, policy: p.PolicyDocument });
  }
  const services = new Set<string>();
  for (const policy of resourcePolicies.values()) {
    for (const s of policy.Statement) {
      for (const service of asList((s.Principal as { Service?: unknown } | undefined)?.Service))
        services.add(service);
    }
  }
  return { resolver, roles, resourcePolicies, services, unhandled };
}

/** How the check names a role or a group. */
export const principalName = (r: RolePolicies) => `${r.kind ?? 'role'}:${r.id}`;

/** The resource policy that guards one ARN, if any. */
export function resourcePolicyFor(stack: StackPolicies, arn: string): PolicyDocument | undefined {
  for (const [guarded, policy] of stack.resourcePolicies) {
    if (arn === guarded || arn.startsWith(`${guarded}/`) || arn.startsWith(`${guarded}:`))
      return policy;
  }
  return undefined;
}
