import t from 'tap';
import { ConfigError, loadConfig } from './config.js';

const base = { TABLE_NAME: 'Employees', PHOTOS_BUCKET: 'employee-photos', AWS_REGION: 'eu-west-1' };

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
