// The guardrails around an app role (issue 14), read from the templates as CloudFormation would
// create them: the permissions boundary from deploy/account.yaml, the VPC endpoint policies its
// calls pass through, and the request context a legitimate call carries (from this VPC, or from
// this function), so a simulator can tell a call made at home from one made with lifted credentials.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createResolver } from './cfn-resolve.mjs';
import { parseTemplate } from './cfn-yaml.mjs';
import { DEPLOY_DIR } from './templates.mjs';

/** @typedef {import('./template-policies.mjs').PolicyDocument} PolicyDocument */
/** @typedef {ReturnType<typeof createResolver>} Resolver */

/** The boundary's ARN as account.yaml creates it in the test account. */
export const TEST_BOUNDARY_ARN = 'arn:aws:iam::123456789012:policy/empdir-stack-boundary';

/**
 * account.yaml resolved for the test account, with the parameters it requires.
 * @param {Record<string, string>} [parameters]
 */
export async function accountTemplate(parameters = {}) {
  const template = parseTemplate(await readFile(join(DEPLOY_DIR, 'account.yaml'), 'utf8'));
  const resolver = createResolver(template, {
    parameters: { AlertEmail: 'ops@example.com', ...parameters },
  });
  return { template, resolver };
}

/**
 * The policy document behind a boundary ARN; only account.yaml's boundary is known.
 * @param {string | undefined} arn
 * @returns {Promise<{ name: string, policy: PolicyDocument } | undefined>}
 */
export async function boundaryPolicy(arn) {
  if (arn === undefined) return undefined;
  const { resolver } = await accountTemplate();
  if (resolver.ref('StackPermissionsBoundary') !== arn) {
    throw new Error(`${arn} is not the boundary deploy/account.yaml creates`);
  }
  const props = resolver.resolve(resolver.resources.StackPermissionsBoundary.Properties);
  return { name: props.ManagedPolicyName, policy: props.PolicyDocument };
}

/**
 * Which endpoint a call to each service passes through, by the endpoint's ServiceName suffix.
 * @param {Resolver} resolver
 * @returns {Record<string, PolicyDocument>}
 */
export function endpointPolicies(resolver) {
  /** @type {Record<string, PolicyDocument>} */
  const byService = {};
  for (const [id, resource] of Object.entries(resolver.resources)) {
    if (resource.Type !== 'AWS::EC2::VPCEndpoint' || !resolver.isCreated(id)) continue;
    const props = resolver.resolve(resource.Properties);
    const service = String(props.ServiceName).split('.').pop() ?? '';
    if (!props.PolicyDocument) throw new Error(`${id}: a VPC endpoint without a policy`);
    byService[service] = props.PolicyDocument;
  }
  return byService;
}

/**
 * The context keys a call made where the role belongs carries: through this VPC's endpoints with
 * IMDSv2 credentials (EC2), or from this function (Lambda).
 * @param {Resolver} resolver
 * @returns {Record<string, string>}
 */
export function homeContext(resolver) {
  if ('Vpc' in resolver.resources) {
    return { 'aws:SourceVpc': String(resolver.ref('Vpc')), 'ec2:RoleDelivery': '2.0' };
  }
  if ('ApiFunction' in resolver.resources) {
    return { 'lambda:SourceFunctionArn': String(resolver.getAtt('ApiFunction', 'Arn')) };
  }
  return {};
}
