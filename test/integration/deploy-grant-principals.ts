// Who the exact-grant check asks about: each role of the stack, each service principal a policy
// names (with the context its conditions expect), and three who must get nothing: another
// account's all-powerful role, a policy-less role of the same account, and an anonymous caller.
import { anonymousPrincipal } from '@cloud-copilot/iam-simulate';
import {
  ROLE_CONTEXT,
  SERVICE_CONTEXT,
  SERVICE_CONTEXT_OF,
} from '../../deploy/lib/declared-grants.mjs';
import type { PolicyDocument } from '../../deploy/lib/template-policies.mjs';
import { principalName, type StackPolicies } from './deploy-stack-policies.js';

export interface Principal {
  readonly name: string;
  readonly principal: string | typeof anonymousPrincipal;
  readonly identityPolicies: { name: string; policy: PolicyDocument }[];
  readonly context: Record<string, string>;
}

export function principals(stack: StackPolicies, accountId: string, file: string): Principal[] {
  const sub = (text: string) => String(stack.resolver.resolve({ 'Fn::Sub': text }));
  const base = {
    'aws:SecureTransport': 'true',
    's3:TlsVersion': '1.3',
    'aws:SourceAccount': accountId,
  };
  const allowAll: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  };
  return [
    ...stack.roles.map((r) => ({
      name: principalName(r),
      principal: r.sessionArn,
      identityPolicies: r.identityPolicies,
      context: {
        ...base,
        ...Object.fromEntries(
          Object.entries(ROLE_CONTEXT[r.id] ?? {}).map(([k, v]) => [k, sub(v)]),
        ),
      },
    })),
    ...[...stack.services].map((service) => ({
      name: `service:${service}`,
      principal: service,
      identityPolicies: [],
      context: {
        ...base,
        ...Object.fromEntries(
          Object.entries(SERVICE_CONTEXT_OF[file]?.[service] ?? SERVICE_CONTEXT[service] ?? {}).map(
            ([k, v]) => [k, sub(v)],
          ),
        ),
      },
    })),
    {
      name: 'outsider',
      principal: 'arn:aws:iam::999999999999:role/outsider',
      identityPolicies: [{ name: 'all', policy: allowAll }],
      context: base,
    },
    {
      name: 'bystander',
      principal: `arn:aws:iam::${accountId}:role/bystander`,
      identityPolicies: [],
      context: base,
    },
    { name: 'anonymous', principal: anonymousPrincipal, identityPolicies: [], context: base },
  ];
}
