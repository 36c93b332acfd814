// The role chain of ec2.yaml (issue 11), split from deploy-least-privilege.test.ts to keep each file
// within tap's per-file timeout: the instance role reaches no data and may only assume the client
// roles as the imds-cache daemon does, under IAM's evaluation logic (deploy-role-chain.ts).
import t from 'tap';
import { appPolicies } from '../../deploy/lib/template-policies.mjs';
import { copyPolicies } from './deploy-policy-check.js';
import { instanceDataProblems, roleChainProblems } from './deploy-role-chain.js';

t.test(
  'the instance role touches no data and can only assume the client roles (issue 11)',
  async (t) => {
    for (const stage of ['dev', 'prod']) {
      const instance = await appPolicies('ec2.yaml', { stage, role: 'InstanceRole' });
      const api = await appPolicies('ec2.yaml', { stage });
      t.equal(instance.trustedPrincipal, 'ec2.amazonaws.com', `${stage}: instances hold it`);
      t.same(
        await instanceDataProblems(instance),
        [],
        `${stage}: every DynamoDB and S3 call denied`,
      );
      t.same(await roleChainProblems(instance, api), [], `${stage}: only the daemon's chain`);
      const assume = instance.identityPolicies.flatMap((p) =>
        p.policy.Statement.filter((s) =>
          [s.Action].flat().some((a) => String(a).startsWith('sts:')),
        ),
      );
      t.same(
        assume.flatMap((s) => [s.Resource].flat()),
        [api.roleArn],
        `${stage}: sts only on the api role`,
      );
    }
  },
);

t.test('the chain check fails for a widened copy', async (t) => {
  const instance = await appPolicies('ec2.yaml', { stage: 'dev', role: 'InstanceRole' });
  const api = await appPolicies('ec2.yaml', { stage: 'dev' });
  t.same(await roleChainProblems(instance, api), [], 'the committed policies pass');

  const withData = copyPolicies(instance);
  withData.identityPolicies.push(
    structuredClone(api.identityPolicies[0] ?? withData.identityPolicies[0]!),
  );
  t.match(
    (await instanceDataProblems(withData)).join('\n'),
    /instance role may dynamodb:GetItem on .*table\/empdir-ec2-dev-employees\n/,
    'the API data policy back on the instance role: caught',
  );
  const oneAction = copyPolicies(instance);
  oneAction.identityPolicies[0]?.policy.Statement.push({
    Effect: 'Allow',
    Action: 'dynamodb:DescribeTable',
    Resource: api.tableArn,
  });
  t.match(
    (await instanceDataProblems(oneAction)).join('\n'),
    /instance role may dynamodb:DescribeTable on /,
    'one dynamodb action on the instance role: caught',
  );

  const unconditioned = structuredClone(api);
  for (const s of unconditioned.trustPolicy.Statement) delete s.Condition;
  t.match(
    (await roleChainProblems(instance, unconditioned)).join('\n'),
    /tagged as another client\): expected denied, got Allowed[\s\S]*a session named for another client/,
    'the trust without its conditions: caught',
  );
  const anyIdentity = structuredClone(api);
  for (const s of anyIdentity.trustPolicy.Statement)
    if (s.Condition?.StringEquals) delete s.Condition.StringEquals['sts:SourceIdentity'];
  t.match(
    (await roleChainProblems(instance, anyIdentity)).join('\n'),
    /with another source identity\): expected denied, got Allowed[\s\S]*without a source identity\): expected denied, got Allowed[\s\S]*set another source identity\): expected denied, got Allowed/,
    'the trust without its SourceIdentity condition: caught',
  );
  const anyone = structuredClone(api);
  for (const s of anyone.trustPolicy.Statement)
    s.Principal = { AWS: `arn:aws:iam::${api.accountId}:root` };
  const anyoneProblems = await roleChainProblems(instance, anyone);
  t.match(
    anyoneProblems.join('\n'),
    /another role of the account assumes the api role\): expected denied, got Allowed/,
    'the trust opened to the whole account: caught',
  );
  const anyRole = structuredClone(instance);
  anyRole.identityPolicies.push({
    name: 'wide',
    policy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
    },
  });
  t.match(
    (await roleChainProblems({ ...anyRole, boundary: undefined, endpointPolicies: {} }, api)).join(
      '\n',
    ),
    /assume the Admin role\): expected denied, got Allowed/,
    'sts:AssumeRole on any role: caught',
  );
});
