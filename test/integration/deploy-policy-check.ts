// The least-privilege check over the policies a template creates: the static wildcard rules, then
// IAM's own evaluation logic (@cloud-copilot/iam-simulate, AGPL: test-only, never shipped) for
// every request the API makes (must be allowed) and a list it must never be able to make (denied).
import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  type AppPolicies,
  type PolicyDocument,
  wildcardProblems,
} from '../../deploy/lib/template-policies.mjs';

export interface AwsCall {
  readonly action: string;
  readonly resource: string;
}

export interface Probe extends AwsCall {
  readonly context?: Readonly<Record<string, string>>;
  /** `denied`: implicitly or explicitly; `explicit`: a Deny statement must decide it. */
  readonly expect: 'allowed' | 'denied' | 'explicit';
  readonly why: string;
}

const SECURE = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };

/**
 * What IAM decides for one request by the app role: its identity policies, its permissions boundary,
 * the bucket's policy, and (for a call made `home`, through the stack's VPC endpoints or from its own
 * function) the endpoint's policy and the context keys such a call carries. `away` is the same
 * credentials used anywhere else.
 */
export async function decide(
  policies: AppPolicies,
  call: AwsCall,
  context: Readonly<Record<string, string>> = {},
  where: 'home' | 'away' = 'home',
): Promise<string> {
  const service = call.action.split(':')[0] ?? '';
  const endpoint = where === 'home' ? policies.endpointPolicies[service] : undefined;
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${policies.accountId}:assumed-role/${policies.roleName}/session`,
        action: call.action,
        resource: { resource: call.resource, accountId: policies.accountId },
        contextVariables: {
          ...(where === 'home' ? policies.homeContext : {}),
          ...SECURE,
          ...context,
        },
      },
      identityPolicies: policies.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: call.action.startsWith('s3:') ? policies.bucketPolicy : undefined,
      permissionBoundaryPolicies: policies.boundary ? [policies.boundary] : undefined,
      vpcEndpointPolicies: endpoint
        ? [{ name: `${service} endpoint`, policy: endpoint }]
        : undefined,
    },
    {},
  );
  if (result.resultType === 'error') return `error ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}

/** Requests the API must never be able to make, whatever the recording says. */
export function forbiddenProbes(p: AppPolicies): Probe[] {
  const bucket = `arn:aws:s3:::${p.bucketName}`;
  const account = `${p.region}:${p.accountId}`;
  const otherTable = `arn:aws:dynamodb:${account}:table/someone-elses-table`;
  const deny = (action: string, resource: string, why: string): Probe => ({
    action,
    resource,
    expect: 'denied',
    why,
  });
  return [
    deny('s3:DeleteBucket', bucket, 'delete the photos bucket'),
    deny('s3:PutBucketPolicy', bucket, 'rewrite the bucket policy'),
    deny('s3:PutBucketPublicAccessBlock', bucket, 'make the bucket public'),
    deny('s3:GetObject', 'arn:aws:s3:::another-bucket/employee-pic/a.png', 'read another bucket'),
    deny('s3:PutObject', `${bucket}/not-photos/a.png`, 'write outside employee-pic/'),
    deny('s3:PutObject', `${bucket}/a.png`, 'write at the bucket root'),
    deny('s3:GetObject', `${bucket}/employee-pic.png`, 'a key that only looks like the prefix'),
    deny('dynamodb:DeleteTable', p.tableArn, 'delete the table'),
    deny('dynamodb:Scan', p.tableArn, 'scan the whole table (the API pages with Query)'),
    deny('dynamodb:Scan', otherTable, 'scan another table'),
    deny('dynamodb:GetItem', otherTable, 'read another table'),
    deny('dynamodb:Query', `${p.tableArn}/index/other`, 'query an index the API does not use'),
    deny('dynamodb:UpdateTable', p.tableArn, 'change the table'),
    deny('iam:CreateUser', `arn:aws:iam::${p.accountId}:user/intruder`, 'create a user'),
    deny('iam:CreateAccessKey', `arn:aws:iam::${p.accountId}:user/intruder`, 'mint an access key'),
    deny('iam:PutRolePolicy', p.roleArn, 'widen its own role'),
    deny('iam:AttachRolePolicy', p.roleArn, 'attach a managed policy to itself'),
    deny('iam:UpdateAssumeRolePolicy', p.roleArn, 'change who may assume it'),
    deny('iam:PassRole', p.roleArn, 'pass its role to a new resource'),
    deny('iam:CreateRole', `arn:aws:iam::${p.accountId}:role/backdoor`, 'create a role'),
    deny('iam:DeleteRolePolicy', p.roleArn, 'remove its own limits'),
    deny(
      'iam:CreatePolicyVersion',
      `arn:aws:iam::${p.accountId}:policy/any`,
      'rewrite a managed policy',
    ),
    deny('sts:AssumeRole', p.roleArn, 'assume its own role again'),
    deny('sts:AssumeRole', `arn:aws:iam::${p.accountId}:role/Admin`, 'assume another role'),
  ];
}

/** The same bucket requests without TLS, or over TLS 1.0: the bucket policy's Deny must win. */
export function transportProbes(allowed: readonly AwsCall[]): Probe[] {
  return allowed
    .filter((call) => call.action.startsWith('s3:'))
    .flatMap((call): Probe[] => [
      {
        ...call,
        context: { 'aws:SecureTransport': 'false' },
        expect: 'explicit' as const,
        why: 'plain HTTP',
      },
      {
        ...call,
        context: { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.0' },
        expect: 'explicit' as const,
        why: 'TLS 1.0',
      },
    ]);
}

function meets(expect: Probe['expect'], decision: string): boolean {
  if (expect === 'allowed') return decision === 'Allowed';
  if (expect === 'explicit') return decision === 'ExplicitlyDenied';
  return decision === 'ImplicitlyDenied' || decision === 'ExplicitlyDenied';
}

/**
 * Every problem with the policies: wildcards, an API call that would fail, a forbidden request that
 * would succeed, a bucket reachable without TLS. Empty means least privilege holds.
 */
export async function leastPrivilegeProblems(
  policies: AppPolicies,
  apiCalls: readonly AwsCall[],
): Promise<string[]> {
  const problems = wildcardProblems(
    [...policies.identityPolicies, { name: 'bucket policy', policy: policies.bucketPolicy }],
    policies.ownedArns,
  );
  const probes: Probe[] = [
    ...apiCalls.map((call) => ({ ...call, expect: 'allowed' as const, why: 'the API makes it' })),
    ...forbiddenProbes(policies),
    ...transportProbes(apiCalls),
  ];
  const decisions = await Promise.all(probes.map((p) => decide(policies, p, p.context)));
  probes.forEach((probe, i) => {
    const decision = decisions[i] ?? 'missing';
    if (!meets(probe.expect, decision)) {
      problems.push(
        `${probe.action} on ${probe.resource} (${probe.why}): expected ${probe.expect}, got ${decision}`,
      );
    }
  });
  return problems;
}

/**
 * A deep copy to widen in a test, without the boundary and the endpoint policies: the identity
 * policies alone must be tight, not merely hidden behind the layers around them.
 */
export function copyPolicies(policies: AppPolicies): AppPolicies & {
  identityPolicies: { name: string; policy: PolicyDocument }[];
} {
  return { ...structuredClone(policies), boundary: undefined, endpointPolicies: {} };
}
