// Reads, from a template, every policy that decides what the app's role may do: the role's own
// policies as CloudFormation would create them for one set of parameters, and the photos bucket's
// policy. Also the static half of the least-privilege check (no wildcards where they widen).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createResolver } from './cfn-resolve.mjs';
import { parseTemplate } from './cfn-yaml.mjs';
import {
  boundaryPolicy,
  endpointPolicies,
  homeContext,
  TEST_BOUNDARY_ARN,
} from './guardrail-policies.mjs';
import { DEPLOY_DIR } from './templates.mjs';

/**
 * @typedef {{ Sid?: string, Effect: string, Action?: string | string[], NotAction?: unknown,
 *   Resource?: string | string[], NotResource?: unknown, Principal?: unknown,
 *   Condition?: Record<string, Record<string, string | string[]>> }} Statement
 * @typedef {{ Version: string, Statement: Statement[] }} PolicyDocument
 * @typedef {object} AppPolicies
 * @property {string} roleName the app role's name
 * @property {string} roleArn
 * @property {string} trustedPrincipal the one service or role (ARN) that may assume the role
 * @property {PolicyDocument} trustPolicy the role's trust policy
 * @property {{ name: string, policy: PolicyDocument }[]} identityPolicies
 * @property {PolicyDocument} bucketPolicy the photos bucket's resource policy
 * @property {string} bucketName
 * @property {string} tableName
 * @property {string} tableArn
 * @property {string[]} ownedArns ARNs of what the stack creates: the only places a wildcard may sit under
 * @property {string} region
 * @property {string} accountId
 * @property {{ name: string, policy: PolicyDocument } | undefined} boundary the role's permissions boundary
 * @property {Record<string, PolicyDocument>} endpointPolicies by service (`s3`, `dynamodb`, ...)
 * @property {Record<string, string>} homeContext what a call made where the role belongs carries
 */

/** Parameter values that make the templates complete; Stage is chosen by the caller. */
export const TEST_PARAMETERS = {
  ArtifactBucket: 'empdir-artifacts-test',
  ArtifactKey: 'releases/empdir-test.tar.gz',
  CodeBucket: 'empdir-artifacts-test',
  CodeKey: 'releases/empdir-test-lambda.zip',
  ArtifactSha256: '0123456789abcdef'.repeat(4),
  PermissionsBoundaryArn: TEST_BOUNDARY_ARN,
  AlertEmail: 'alerts@example.com',
};

/** @param {unknown} value @returns {string[]} */
export const asList = (value) =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/**
 * The policies of one role of a template: by default the app role, the one role that holds the
 * API's data access (`api-data-access`): ec2.yaml's ApiRole, serverless.yaml's function role.
 * @param {'ec2.yaml' | 'serverless.yaml'} file
 * @param {{ stage: string, template?: Record<string, any>, role?: string }} options a parsed
 *   template may be passed in; `role` picks a role by logical id
 * @returns {Promise<AppPolicies>}
 */
export async function appPolicies(file, { stage, template, role: wanted }) {
  const parsed = template ?? parseTemplate(await readFile(join(DEPLOY_DIR, file), 'utf8'));
  // Stack names as deploy/README.md gives them: the account's guardrails match on them.
  const stackName = `empdir-${file === 'ec2.yaml' ? 'ec2' : 'fn'}-${stage}`;
  const resolver = createResolver(parsed, {
    parameters: { ...TEST_PARAMETERS, Stage: stage },
    stackName,
  });
  const resources = Object.entries(resolver.resources);
  const holdsData = (/** @type {any} */ r) =>
    (r.Properties?.Policies ?? []).some(
      (/** @type {{ PolicyName: string }} */ p) => p.PolicyName === 'api-data-access',
    );
  const roles = resources.filter(
    ([id, r]) => r.Type === 'AWS::IAM::Role' && (wanted ? id === wanted : holdsData(r)),
  );
  const [roleId, role] = roles[0] ?? [];
  if (roles.length !== 1 || !roleId)
    throw new Error(`${file}: expected one ${wanted ?? 'app'} role, found ${roles.length}`);
  const props = resolver.resolve(role.Properties);
  if (props.ManagedPolicyArns?.length) {
    throw new Error(`${file}: managed policies cannot be checked here; inline them instead`);
  }
  const principalsOf = (/** @type {'Service' | 'AWS'} */ kind) =>
    asList(
      props.AssumeRolePolicyDocument.Statement.flatMap(
        (/** @type {Statement} */ s) => /** @type {any} */ (s.Principal)?.[kind],
      ).filter((/** @type {unknown} */ x) => x !== undefined),
    );
  const trust = [...new Set([...principalsOf('Service'), ...principalsOf('AWS')])];
  if (trust.length !== 1)
    throw new Error(`${file}: the role must trust exactly one service or role, found ${trust}`);
  /** @type {{ name: string, policy: PolicyDocument }[]} */
  const identityPolicies = (props.Policies ?? []).map(
    (/** @type {{ PolicyName: string, PolicyDocument: PolicyDocument }} */ p) => ({
      name: p.PolicyName,
      policy: p.PolicyDocument,
    }),
  );
  for (const [id, resource] of resources) {
    const attached = /^AWS::IAM::(Policy|RolePolicy|ManagedPolicy)$/.test(resource.Type);
    if (attached && resolver.isCreated(id)) {
      const p = resolver.resolve(resource.Properties);
      const roleNames = [...asList(p.Roles), ...asList(p.RoleName)];
      if (roleNames.includes(String(resolver.ref(roleId)))) {
        identityPolicies.push({ name: p.PolicyName ?? id, policy: p.PolicyDocument });
      }
    }
  }
  const bucketPolicies = resources.filter(
    ([id, r]) =>
      r.Type === 'AWS::S3::BucketPolicy' &&
      resolver.resolve(r.Properties.Bucket) === resolver.ref('PhotosBucket') &&
      resolver.isCreated(id),
  );
  const [, bucketPolicyResource] = bucketPolicies[0] ?? [];
  if (bucketPolicies.length !== 1) throw new Error(`${file}: expected one photos bucket policy`);
  const ownedArns = resources
    .filter(
      ([id, r]) =>
        resolver.isCreated(id) && /^AWS::(S3::Bucket|DynamoDB::Table|Logs::LogGroup)$/.test(r.Type),
    )
    .map(([id]) => String(resolver.getAtt(id, 'Arn')).replace(/:\*$/, ''));
  return {
    roleName: String(resolver.ref(roleId)),
    roleArn: String(resolver.getAtt(roleId, 'Arn')),
    trustedPrincipal: /** @type {string} */ (trust[0]),
    trustPolicy: props.AssumeRolePolicyDocument,
    identityPolicies,
    bucketPolicy: resolver.resolve(bucketPolicyResource.Properties.PolicyDocument),
    bucketName: String(resolver.ref('PhotosBucket')),
    tableName: String(resolver.ref('EmployeesTable')),
    tableArn: String(resolver.getAtt('EmployeesTable', 'Arn')),
    ownedArns,
    region: String(resolver.ref('AWS::Region')),
    accountId: String(resolver.ref('AWS::AccountId')),
    boundary: await boundaryPolicy(props.PermissionsBoundary),
    endpointPolicies: endpointPolicies(resolver),
    homeContext: homeContext(resolver),
  };
}

/** Wildcards below what AWS owns and serves to everyone: dnf's Amazon Linux 2023 repositories. */
const AWS_OWNED_WILDCARDS = [/^arn:aws:s3:::al2023-repos-[a-z0-9-]+-de612dc2\/\*$/];

/**
 * The static half of the check: an Allow names every action in full (no `*`, no NotAction) and
 * every resource exactly, a wildcard only below something the stack itself created.
 * @param {{ name: string, policy: PolicyDocument }[]} policies
 * @param {string[]} ownedArns
 * @returns {string[]} one line per problem; empty when the policies are tight
 */
export function wildcardProblems(policies, ownedArns) {
  /** @type {string[]} */
  const problems = [];
  for (const { name, policy } of policies) {
    for (const [index, statement] of policy.Statement.entries()) {
      const where = `${name}/${statement.Sid ?? index}`;
      if (statement.Effect !== 'Allow') continue;
      if (statement.NotAction !== undefined) problems.push(`${where}: Allow with NotAction`);
      if (statement.NotResource !== undefined) problems.push(`${where}: Allow with NotResource`);
      const actions = asList(statement.Action);
      if (actions.length === 0) problems.push(`${where}: no Action`);
      for (const action of actions.filter((a) => a.includes('*'))) {
        problems.push(`${where}: wildcard action "${action}"`);
      }
      const resources = asList(statement.Resource);
      if (resources.length === 0) problems.push(`${where}: no Resource`);
      for (const resource of resources.filter((r) => r.includes('*'))) {
        const prefix = resource.slice(0, -1);
        const underOwned = ownedArns.some(
          (arn) => prefix === `${arn}/` || prefix.startsWith(`${arn}/`) || prefix === `${arn}:`,
        );
        if (AWS_OWNED_WILDCARDS.some((pattern) => pattern.test(resource))) continue;
        if (!resource.endsWith('*') || prefix.includes('*') || !underOwned) {
          problems.push(`${where}: wildcard resource "${resource}"`);
        }
      }
    }
  }
  return problems;
}
