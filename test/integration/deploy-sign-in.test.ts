// Sign-in in both stacks: a Cognito pool with MFA required, the three role groups, a public web
// client and no secret anywhere, the app configured from them, HTTPS required outside dev (EC2),
// and a JWT authorizer in front of the serverless JSON API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import { ruleFailures } from '../../deploy/lib/cfn-rules.mjs';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { SIGN_IN_SETTINGS } from '../../deploy/lib/sign-in.mjs';
import { TEST_PARAMETERS } from '../../deploy/lib/template-policies.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

const FILES = ['ec2.yaml', 'serverless.yaml'] as const;
const text = (file: string) => readFileSync(join(DEPLOY_DIR, file), 'utf8');
const template = (file: string) => parseTemplate(text(file));
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/UserPool-physical-id';

function stack(file: string, parameters: Record<string, string> = {}) {
  const parsed = template(file);
  const resolver = createResolver(parsed, {
    parameters: { ...TEST_PARAMETERS, Stage: 'dev', ...parameters },
  });
  const props = (id: string) => resolver.resolve(parsed.Resources[id].Properties);
  return { parsed, resolver, props };
}

/** The API's settings as each stack hands them over: Lambda environment or the user data's exports. */
function appSettings(file: string, parameters: Record<string, string> = {}) {
  const { props } = stack(file, parameters);
  if (file === 'serverless.yaml') return props('ApiFunction').Environment.Variables;
  const script = Buffer.from(props('LaunchTemplate').LaunchTemplateData.UserData, 'base64');
  const exported = [...script.toString('utf8').matchAll(/^export ([A-Z0-9_]+)='([^']*)'$/gm)];
  return Object.fromEntries(exported.map((m) => [m[1], m[2]]));
}

t.test('each stack has one user pool: MFA required (TOTP), admin-created users only', async (t) => {
  for (const file of FILES) {
    const pools = Object.values<{ Type: string }>(template(file).Resources).filter(
      (r) => r.Type === 'AWS::Cognito::UserPool',
    );
    t.equal(pools.length, 1, `${file}: one pool`);
    const pool = stack(file).props('UserPool');
    t.equal(pool.MfaConfiguration, 'ON', `${file}: MFA required for every user`);
    t.same(pool.EnabledMfas, ['SOFTWARE_TOKEN_MFA'], `${file}: TOTP only (no SMS)`);
    t.equal(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly, true, `${file}: no self sign-up`);
    t.ok(pool.Policies.PasswordPolicy.MinimumLength >= 12, `${file}: long passwords`);
    const prod = stack(file, {
      Stage: 'prod',
      CertificateArn: CERTIFICATE,
      DomainName: 'a.example.com',
    });
    t.equal(prod.props('UserPool').DeletionProtection, 'ACTIVE', `${file}: prod's pool survives`);
  }
});

t.test(
  'the groups are exactly admin, editor and viewer; the scopes directory/<role>',
  async (t) => {
    for (const file of FILES) {
      const resources = Object.entries<{ Type: string }>(template(file).Resources);
      const { props } = stack(file);
      const groups = resources
        .filter(([, r]) => r.Type === 'AWS::Cognito::UserPoolGroup')
        .map(([id]) => props(id));
      t.same(groups.map((g) => g.GroupName).sort(), ['admin', 'editor', 'viewer'], file);
      for (const g of groups)
        t.same(g.UserPoolId, 'UserPool-physical-id', `${g.GroupName} in the pool`);
      const server = props('SignInResourceServer');
      t.equal(server.Identifier, 'directory');
      t.same(server.Scopes.map((s: { ScopeName: string }) => s.ScopeName).sort(), [
        'admin',
        'editor',
        'viewer',
      ]);
    }
  },
);

t.test('the web client is public, code flow only, and cannot ask for a role scope', async (t) => {
  for (const file of FILES) {
    const client = stack(file).props('WebClient');
    t.equal(client.GenerateSecret, false, `${file}: no secret (PKCE instead)`);
    t.same(client.AllowedOAuthFlows, ['code'], `${file}: authorization code only, no implicit`);
    t.same(client.ExplicitAuthFlows, ['ALLOW_REFRESH_TOKEN_AUTH'], `${file}: hosted UI only`);
    t.same(client.SupportedIdentityProviders, ['COGNITO']);
    t.notOk(
      client.AllowedOAuthScopes.some((s: string) => s.startsWith('directory/')),
      `${file}: any user could request a directory/* scope, so the web client allows none`,
    );
    t.ok(
      client.CallbackURLs.every((u: string) => u.startsWith('https://')),
      `${file}: HTTPS only`,
    );
  }
});

t.test(
  'the machine client exists only on request, and its secret never leaves Cognito',
  async (t) => {
    for (const file of FILES) {
      t.notOk(stack(file).resolver.isCreated('MachineClient'), `${file}: none by default`);
      const withClient = stack(file, { MachineClientRole: 'editor' });
      t.ok(withClient.resolver.isCreated('MachineClient'));
      const client = withClient.props('MachineClient');
      t.match(client, {
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['directory/editor'],
      });
      t.notMatch(
        text(file),
        /ClientSecret/,
        `${file}: no output, variable or export reads a secret`,
      );
      t.equal(appSettings(file).OIDC_CLIENT_SECRET, undefined, `${file}: the app gets none either`);
      t.equal(
        appSettings(file, { MachineClientRole: 'admin' }).OIDC_AUDIENCE,
        'WebClient-physical-id,MachineClient-physical-id',
      );
    }
  },
);

t.test('each stack configures the app from its own pool, client and domain', async (t) => {
  const hosts = {
    'serverless.yaml': 'HttpApi-physical-id.execute-api.us-east-1.amazonaws.com',
    'ec2.yaml': 'LoadBalancer.DNSName',
  };
  for (const file of FILES) {
    const settings = appSettings(file);
    const host = hosts[file];
    t.match(settings, {
      OIDC_ISSUER: ISSUER,
      OIDC_CLIENT_ID: 'WebClient-physical-id',
      OIDC_AUDIENCE: 'WebClient-physical-id',
      OIDC_REDIRECT_URI: `https://${host}/auth/callback`,
      OIDC_POST_LOGOUT_REDIRECT_URI: `https://${host}/auth/signed-out`,
      OIDC_END_SESSION_URL:
        'https://UserPoolDomain-physical-id.auth.us-east-1.amazoncognito.com/logout',
    });
    t.same(
      Object.keys(SIGN_IN_SETTINGS).filter((k) => !(k in settings)),
      [],
      `${file}: all set`,
    );
    const client = stack(file).props('WebClient');
    t.same(client.CallbackURLs, [settings.OIDC_REDIRECT_URI], `${file}: Cognito redirects there`);
    t.same(client.LogoutURLs, [settings.OIDC_POST_LOGOUT_REDIRECT_URI]);
  }
  const named = appSettings('ec2.yaml', {
    CertificateArn: CERTIFICATE,
    DomainName: 'a.example.com',
  });
  t.equal(
    named.OIDC_REDIRECT_URI,
    'https://a.example.com/auth/callback',
    'EC2: the domain when set',
  );
});

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
