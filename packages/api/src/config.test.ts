import t from 'tap';
import { ConfigError, loadConfig } from './config.js';

const base = {
  TABLE_NAME: 'Employees',
  PHOTOS_BUCKET: 'employee-photos',
  AWS_REGION: 'eu-west-1',
  OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
  OIDC_CLIENT_ID: 'abc123',
};

t.test('defaults: port 8080 on loopback, info logs, a generated session secret', async (t) => {
  const config = loadConfig(base);
  t.equal(config.port, 8080);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.logLevel, 'info');
  t.equal(config.pageSize, 25);
  t.equal(config.sessionSecretGenerated, true);
  t.ok(config.sessionSecret.length >= 32);
  t.not(loadConfig(base).sessionSecret, config.sessionSecret, 'random per start');
  t.equal(config.instanceInfo.url, undefined);
  t.ok(Object.isFrozen(config));
});

t.test(
  'reads every setting; the daemon URL is the credentials URI origin + /v1/instance',
  async (t) => {
    const config = loadConfig({
      ...base,
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000/',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
      PORT: '0',
      HOST: '::1',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: 'x'.repeat(40),
      TRUSTED_ORIGINS: 'https://directory.example.com, https://other.example.com',
      PAGE_SIZE: '50',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:8081/v1/credentials?x=1',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/run/imds-cache/token',
    });
    t.equal(config.dynamoDbEndpoint, 'http://127.0.0.1:8000');
    t.equal(config.port, 0);
    t.equal(config.host, '::1');
    t.equal(config.sessionSecretGenerated, false);
    t.same(config.trustedOrigins, ['https://directory.example.com', 'https://other.example.com']);
    t.equal(config.pageSize, 50);
    t.equal(config.instanceInfo.url, 'http://127.0.0.1:8081/v1/instance');
    t.equal(config.instanceInfo.tokenFile, '/run/imds-cache/token');
  },
);

t.test('empty strings count as unset', async (t) => {
  const config = loadConfig({ ...base, PORT: '', S3_ENDPOINT: '', SESSION_SECRET: '' });
  t.equal(config.port, 8080);
  t.equal(config.s3Endpoint, undefined);
  t.equal(config.sessionSecretGenerated, true);
});

t.test('every bad key is reported at once, secrets never echoed', async (t) => {
  const error = t.throws(() =>
    loadConfig({
      PHOTOS_BUCKET: 'Not_A_Bucket',
      AWS_REGION: 'mars',
      PORT: '80a',
      LOG_LEVEL: 'loud',
      SESSION_SECRET: 'short-secret-value',
      PAGE_SIZE: '0',
      S3_ENDPOINT: 'ftp://x',
    }),
  ) as ConfigError;
  t.type(error, ConfigError);
  const keys = error.issues.map((issue) => issue.split(':')[0]).sort();
  t.same(keys, [
    'AWS_REGION',
    'LOG_LEVEL',
    'OIDC_CLIENT_ID',
    'OIDC_ISSUER',
    'PAGE_SIZE',
    'PHOTOS_BUCKET',
    'PORT',
    'S3_ENDPOINT',
    'SESSION_SECRET',
    'TABLE_NAME',
  ]);
  t.match(error.message, /PORT: .*\(got "80a"\)/);
  t.notMatch(error.message, /short-secret-value/);
});

t.test('trusted origins must be bare origins', async (t) => {
  const error = t.throws(() =>
    loadConfig({ ...base, TRUSTED_ORIGINS: 'https://ok.example.com,https://x.example.com/path' }),
  ) as ConfigError;
  t.match(error.issues, [/TRUSTED_ORIGINS: "https:\/\/x.example.com\/path"/]);
});

t.test('trusted hosts: lower-cased host[:port] entries, each bad one named', async (t) => {
  t.same(loadConfig(base).trustedHosts, []);
  const config = loadConfig({
    ...base,
    TRUSTED_HOSTS: 'LocalHost:8080, 127.0.0.1:8080,[::1]:8080,,x.example',
  });
  t.same(config.trustedHosts, ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'x.example']);
  const error = t.throws(() =>
    loadConfig({ ...base, TRUSTED_HOSTS: 'ok.example, http://x.example, a b' }),
  ) as ConfigError;
  t.match(error.issues, [/TRUSTED_HOSTS: "http:\/\/x.example"/, /TRUSTED_HOSTS: "a b"/]);
});

t.test('sign-in settings: defaults, audiences, and https except on loopback', async (t) => {
  const config = loadConfig(base);
  t.same(config.oidc, {
    issuer: base.OIDC_ISSUER,
    clientId: 'abc123',
    clientSecret: undefined,
    redirectUri: undefined,
    scopes: 'openid profile email',
    groupsClaim: 'cognito:groups',
    audiences: ['abc123'],
    endSessionUrl: undefined,
    postLogoutRedirectUri: undefined,
  });
  t.same(config.session, { idleTimeoutSeconds: 1800, maxAgeSeconds: 28800 });
  const custom = loadConfig({
    ...base,
    OIDC_ISSUER: 'http://127.0.0.1:9000/',
    OIDC_AUDIENCE: 'abc123, https://api.example.com',
    OIDC_GROUPS_CLAIM: 'groups',
    SESSION_IDLE_TIMEOUT_SECONDS: '600',
    SESSION_MAX_AGE_SECONDS: '3600',
  });
  t.equal(custom.oidc.issuer, 'http://127.0.0.1:9000/', 'the issuer is kept exactly');
  t.same(custom.oidc.audiences, ['abc123', 'https://api.example.com']);
  t.equal(custom.oidc.groupsClaim, 'groups');
  const error = t.throws(() =>
    loadConfig({
      ...base,
      OIDC_ISSUER: 'http://idp.example.com',
      OIDC_REDIRECT_URI: 'http://directory.example.com/auth/callback',
      OIDC_CLIENT_SECRET: 'tiny-secret',
      OIDC_SCOPES: 'openid  profile',
    }),
  ) as ConfigError;
  t.same(error.issues.map((issue) => issue.split(':')[0]).sort(), [
    'OIDC_CLIENT_SECRET',
    'OIDC_ISSUER',
    'OIDC_REDIRECT_URI',
    'OIDC_SCOPES',
  ]);
  t.notMatch(error.message, /tiny-secret/);
  const timeouts = t.throws(() =>
    loadConfig({ ...base, SESSION_IDLE_TIMEOUT_SECONDS: '7200', SESSION_MAX_AGE_SECONDS: '3600' }),
  ) as ConfigError;
  t.match(timeouts.issues, [/SESSION_IDLE_TIMEOUT_SECONDS: must not exceed/]);
});
