// What sign-in needs around the pool: HTTPS outside dev and the redirect to it (EC2), a JWT
// authorizer in front of the serverless JSON API, and a way out to Cognito for the instances.
import t from 'tap';
import { ruleFailures } from '../../deploy/lib/cfn-rules.mjs';
import { TEST_PARAMETERS } from '../../deploy/lib/template-policies.mjs';
import { appSettings, CERTIFICATE, ISSUER, stack, template } from './deploy-sign-in-stack.js';

t.test('EC2 requires a certificate (and a domain) for every stage but dev', async (t) => {
  const ec2 = template('ec2.yaml');
  const failures = (parameters: Record<string, string>) =>
    ruleFailures(ec2, { ...TEST_PARAMETERS, ...parameters });
  const https = { CertificateArn: CERTIFICATE, DomainName: 'directory.example.com' };
  t.same(failures({ Stage: 'dev' }), [], 'dev may run on plain HTTP');
  for (const stage of ['staging', 'prod']) {
    t.match(failures({ Stage: stage }), [/^HttpsOutsideDev: CertificateArn/], `${stage}: refused`);
    t.same(failures({ Stage: stage, ...https }), [], `${stage}: with a certificate`);
  }
  t.match(failures({ Stage: 'prod', CertificateArn: CERTIFICATE }), [/^DomainWithCertificate/]);
});

t.test('with a certificate the load balancer redirects HTTP to HTTPS (TLS 1.2+)', async (t) => {
  const https = stack('ec2.yaml', {
    Stage: 'prod',
    CertificateArn: CERTIFICATE,
    DomainName: 'a.example.com',
  });
  t.same(https.props('HttpListener').DefaultActions, [
    {
      Type: 'redirect',
      RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
    },
  ]);
  t.ok(https.resolver.isCreated('HttpsListener'));
  t.equal(https.resolver.resolve(https.parsed.Outputs.Url.Value), 'https://a.example.com', 'Url');
  t.match(https.props('HttpsListener'), {
    Protocol: 'HTTPS',
    Port: 443,
    SslPolicy: /^ELBSecurityPolicy-TLS13-1-2-/,
    Certificates: [{ CertificateArn: CERTIFICATE }],
  });
  const plain = stack('ec2.yaml');
  t.match(plain.props('HttpListener').DefaultActions, [{ Type: 'forward' }], 'dev: plain HTTP');
  t.notOk(plain.resolver.isCreated('HttpsListener'));
});

t.test('the serverless JSON API needs a bearer token of the pool; pages do not', async (t) => {
  for (const parameters of [{}, { MachineClientRole: 'viewer' }] as Record<string, string>[]) {
    const { parsed, props } = stack('serverless.yaml', parameters);
    const authorizer = props('HttpApiJwtAuthorizer');
    t.match(authorizer, {
      ApiId: 'HttpApi-physical-id',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    t.equal(authorizer.JwtConfiguration.Issuer, ISSUER, 'issuer: the pool');
    t.equal(authorizer.JwtConfiguration.Issuer, appSettings('serverless.yaml').OIDC_ISSUER);
    t.same(
      authorizer.JwtConfiguration.Audience,
      'MachineClientRole' in parameters
        ? ['WebClient-physical-id', 'MachineClient-physical-id']
        : ['WebClient-physical-id'],
      'audience: the app client (and the machine client when there is one)',
    );
    const routes = Object.entries<{ Type: string }>(parsed.Resources)
      .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map(([id]) => props(id));
    t.same(
      routes.map((r) => [r.RouteKey, r.AuthorizationType ?? 'NONE', r.AuthorizerId ?? null]),
      [
        ['$default', 'NONE', null],
        ['ANY /api/{proxy+}', 'JWT', 'HttpApiJwtAuthorizer-physical-id'],
      ],
    );
    t.same(new Set(routes.map((r) => r.Target)).size, 1, 'both reach the same function');
  }
});

t.test('the instances reach Cognito through the NAT gateway, on HTTPS only', async (t) => {
  const { props } = stack('ec2.yaml');
  t.match(props('PrivateDefaultRoute'), {
    RouteTableId: 'PrivateRouteTable-physical-id',
    DestinationCidrBlock: '0.0.0.0/0',
    NatGatewayId: 'NatGateway-physical-id',
  });
  t.equal(
    props('NatGateway').SubnetId,
    'PublicSubnetA-physical-id',
    'the NAT sits in a public subnet',
  );
  const egress = props('InstanceSecurityGroup').SecurityGroupEgress;
  t.same(
    egress.map((e: { IpProtocol: string; FromPort: number; ToPort: number }) => [
      e.IpProtocol,
      e.FromPort,
      e.ToPort,
    ]),
    [['tcp', 443, 443]],
    'nothing but HTTPS leaves an instance',
  );
});
