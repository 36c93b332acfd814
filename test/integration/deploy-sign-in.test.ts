// Sign-in in both stacks: a Cognito pool with MFA required, the three role groups, a public web
// client and no secret anywhere, and the app configured from them.
import t from 'tap';
import { SIGN_IN_SETTINGS } from '../../deploy/lib/sign-in.mjs';
import {
  appSettings,
  CERTIFICATE,
  FILES,
  ISSUER,
  stack,
  template,
  text,
} from './deploy-sign-in-stack.js';

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
