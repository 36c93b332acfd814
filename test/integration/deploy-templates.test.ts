// The templates' generated blocks match their sources (packages/shared, deploy/user-data.sh), and
// the generator notices a hand edit or a changed source: drift cannot go unseen.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { apiStatements, renderApiStatements } from '../../deploy/lib/api-policy.mjs';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { renderFragments } from '../../deploy/lib/fragments.mjs';
import { appPolicies, asList, TEST_PARAMETERS } from '../../deploy/lib/template-policies.mjs';
import {
  DEPLOY_DIR,
  formatYaml,
  renderTemplates,
  templateFragments,
} from '../../deploy/lib/templates.mjs';
import { USER_DATA_EXPORTS } from '../../deploy/lib/user-data.mjs';
import { HOST_EXEMPT_HEALTH_CHECK } from '../../packages/api/dist/middleware/trusted-host.js';
import { API_IAM_ACTIONS, EMPLOYEE_TABLE } from '../../packages/shared/dist/index.js';

const read = (file: string) => readFileSync(join(DEPLOY_DIR, file), 'utf8');

t.test('the committed templates are what `node deploy/generate.mjs` writes', async (t) => {
  const rendered = await renderTemplates();
  t.same(rendered.map((r) => r.file).sort(), ['ec2.yaml', 'serverless.yaml']);
  for (const { file, committed, generated } of rendered) {
    t.equal(committed, generated, `${file} is current (else run node deploy/generate.mjs)`);
  }
});

t.test('a hand edit inside a generated block is undone, so the drift test fails', async (t) => {
  const fragments = (await templateFragments())['ec2.yaml'] ?? {};
  const committed = read('ec2.yaml');
  const edited = committed.replace('- dynamodb:GetItem #', '- dynamodb:Scan #');
  t.not(edited, committed, 'the edit applied');
  const regenerated = formatYaml('deploy/ec2.yaml', renderFragments(edited, fragments));
  t.not(regenerated, edited, 'the generator disagrees with the edit');
  t.equal(regenerated, committed, 'and restores the source of truth');
});

t.test('a new action in API_IAM_ACTIONS changes the generated block', async (t) => {
  const fragments = (await templateFragments())['serverless.yaml'] ?? {};
  const widened = renderApiStatements([
    ...API_IAM_ACTIONS,
    { action: 'dynamodb:BatchGetItem', resource: 'table', why: 'a new feature' },
  ]);
  t.match(widened, /- dynamodb:BatchGetItem # a new feature/);
  const committed = read('serverless.yaml');
  const next = renderFragments(committed, { ...fragments, 'api-statements': widened });
  t.not(formatYaml('deploy/serverless.yaml', next), committed);
});

t.test('the generator refuses what it cannot express exactly', async (t) => {
  t.throws(
    () => apiStatements([{ action: 's3:*', resource: 'bucket', why: 'x' }]),
    /without wildcards/,
  );
  t.throws(
    () => apiStatements([{ action: 's3:GetObject', resource: 'everything' as never, why: 'x' }]),
    /unknown resource kind/,
  );
  const marked = '  # >>> generated: a\n  old\n  # <<< generated: a\n';
  t.equal(
    renderFragments(marked, { a: 'x: 1\ny: 2' }),
    '  # >>> generated: a\n  x: 1\n  y: 2\n  # <<< generated: a\n',
  );
  t.throws(() => renderFragments(marked, {}), /no generator for fragment "a"/);
  t.throws(() => renderFragments(marked, { a: '', b: '' }), /no markers for fragment\(s\): b/);
  t.throws(() => renderFragments('# >>> generated: a\n', { a: '' }), /has no end marker/);
  t.throws(() => renderFragments('# <<< generated: a\n', {}), /end marker without a begin/);
  t.throws(() => renderFragments(`${marked}${marked}`, { a: '' }), /appears twice/);
});

t.test('each role grants exactly API_IAM_ACTIONS, each on its own resource', async (t) => {
  for (const file of ['ec2.yaml', 'serverless.yaml'] as const) {
    const p = await appPolicies(file, { stage: 'staging' });
    const api = p.identityPolicies.find((x) => x.name === 'api-data-access');
    const bucketArn = `arn:aws:s3:::${p.bucketName}`;
    const arnOf = {
      table: p.tableArn,
      'table-indexes': `${p.tableArn}/index/${EMPLOYEE_TABLE.byNameIndex.name}`,
      bucket: bucketArn,
      'photo-objects': `${bucketArn}/employee-pic/*`,
    };
    const granted = (api?.policy.Statement ?? []).flatMap((s) =>
      asList(s.Action).flatMap((a) => asList(s.Resource).map((r) => `${s.Effect} ${a} ${r}`)),
    );
    const expected = API_IAM_ACTIONS.map((g) => `Allow ${g.action} ${arnOf[g.resource]}`);
    t.same(granted.sort(), expected.sort(), `${file}: api-data-access`);
    t.match(p.bucketName, /-staging-/, `${file}: the bucket name carries the stage`);
    t.match(p.tableName, /-staging-/, `${file}: the table name carries the stage`);
  }
});

t.test('the table in both templates is EMPLOYEE_TABLE', async (t) => {
  const index = EMPLOYEE_TABLE.byNameIndex;
  for (const file of ['ec2.yaml', 'serverless.yaml']) {
    const table = parseTemplate(read(file)).Resources.EmployeesTable.Properties;
    t.same(table.KeySchema, [{ AttributeName: EMPLOYEE_TABLE.partitionKey, KeyType: 'HASH' }]);
    t.same(table.GlobalSecondaryIndexes, [
      {
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    t.same(
      table.AttributeDefinitions.map((a: { AttributeName: string }) => a.AttributeName).sort(),
      [EMPLOYEE_TABLE.partitionKey, index.partitionKey, index.sortKey].sort(),
    );
    t.equal(table.BillingMode, 'PAY_PER_REQUEST', `${file}: on demand`);
    t.same(table.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
  }
});

t.test('the launch template runs deploy/user-data.sh verbatim with the stack values', async (t) => {
  const template = parseTemplate(read('ec2.yaml'));
  const resolver = createResolver(template, { parameters: { ...TEST_PARAMETERS, Stage: 'dev' } });
  const userData = resolver.resolve(template.Resources.LaunchTemplate.Properties).LaunchTemplateData
    .UserData;
  const script = Buffer.from(userData, 'base64').toString('utf8');
  const body = read('user-data.sh').split('\n').slice(1).join('\n');
  t.ok(script.startsWith('#!/bin/bash\n'), 'a bash script');
  t.ok(script.endsWith(body), 'ends with user-data.sh after its shebang');
  t.match(script, "export STAGE='dev'");
  t.match(script, `export ARTIFACT_KEY='${TEST_PARAMETERS.ArtifactKey}'`);
  t.match(script, "export TABLE_NAME='empdir-ec2-dev-employees'");
  for (const name of Object.keys(USER_DATA_EXPORTS)) t.match(script, `export ${name}=`);
  t.ok(script.length < 16 * 1024, `user data is ${script.length} bytes, under EC2's 16 KiB`);
  const file = join(mkdtempSync(join(tmpdir(), 'empdir-user-data-')), 'user-data.sh');
  writeFileSync(file, script);
  t.doesNotThrow(() => execFileSync('bash', ['-n', file]), 'bash parses it');
});

t.test('EC2: the API trusts the public host only, and the health check it exempts', async (t) => {
  const template = parseTemplate(read('ec2.yaml'));
  const script = (parameters: Record<string, string>) => {
    const resolver = createResolver(template, {
      parameters: { ...TEST_PARAMETERS, Stage: 'dev', ...parameters },
    });
    const { UserData } = resolver.resolve(
      template.Resources.LaunchTemplate.Properties,
    ).LaunchTemplateData;
    return Buffer.from(UserData, 'base64').toString('utf8');
  };
  const exported = (text: string, name: string) =>
    text.match(new RegExp(`^export ${name}='([^']*)'$`, 'm'))?.[1];
  // The same host the sign-in redirect names: DomainName, else the load balancer's DNS name.
  const plain = script({});
  t.equal(exported(plain, 'TRUSTED_HOSTS'), 'LoadBalancer.DNSName');
  t.equal(
    `https://${exported(plain, 'TRUSTED_HOSTS')}/auth/callback`,
    exported(plain, 'OIDC_REDIRECT_URI'),
  );
  const named = script({
    CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e',
    DomainName: 'directory.example.com',
  });
  t.equal(exported(named, 'TRUSTED_HOSTS'), 'directory.example.com');
  // The load balancer's probe names the instance's private address: it must be the exempt request.
  const target = template.Resources.TargetGroup.Properties;
  t.equal(target.HealthCheckPath, HOST_EXEMPT_HEALTH_CHECK.path);
  t.equal(target.HealthCheckProtocol, 'HTTP');
  t.ok(
    (HOST_EXEMPT_HEALTH_CHECK.methods as readonly string[]).includes('GET'),
    'the load balancer probes with GET',
  );
  t.match(
    read('user-data.sh'),
    `READY_URL="\${READY_URL:-http://127.0.0.1:8080${HOST_EXEMPT_HEALTH_CHECK.path}}"`,
    "user data's own readiness wait (Host 127.0.0.1:8080) is that request too",
  );
});

t.test(
  'the switches: HTTPS with a certificate, a trail on request, protection in prod',
  async (t) => {
    const template = parseTemplate(read('ec2.yaml'));
    const at = (parameters: Record<string, string>) =>
      createResolver(template, { parameters: { ...TEST_PARAMETERS, Stage: 'dev', ...parameters } });
    const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e';
    t.notOk(at({}).isCreated('HttpsListener'), 'plain HTTP by default');
    t.ok(
      at({ CertificateArn: certificate }).isCreated('HttpsListener'),
      'HTTPS with a certificate',
    );
    const redirect = at({ CertificateArn: certificate }).resolve(
      template.Resources.HttpListener.Properties,
    );
    t.equal(redirect.DefaultActions[0].Type, 'redirect', 'and HTTP redirects to it');
    t.notOk(at({}).isCreated('Trail'), 'no trail by default');
    t.ok(at({ EnableCloudTrail: 'true' }).isCreated('Trail'));
    const table = (stage: string) =>
      at({ Stage: stage }).resolve(template.Resources.EmployeesTable.Properties)
        .DeletionProtectionEnabled;
    t.same([table('dev'), table('staging'), table('prod')], [false, false, true]);
    t.throws(() => at({ Stage: 'qa' }), /not one of dev, staging, prod/);
  },
);
