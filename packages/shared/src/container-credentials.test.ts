import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  CredentialsFormatError,
  type ImdsCredentials,
  parseContainerCredentials,
  parseImdsCredentials,
  toContainerCredentials,
} from './container-credentials.js';

// Fake key material is built at run time so nothing key-shaped is ever committed.
const fakeKeyId = () => `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
const secret = randomBytes(30).toString('base64');

const imdsDoc = (): ImdsCredentials => ({
  Code: 'Success',
  LastUpdated: '2026-11-22T10:00:00Z',
  Type: 'AWS-HMAC',
  AccessKeyId: fakeKeyId(),
  SecretAccessKey: secret,
  Token: 'token-value',
  Expiration: '2026-11-22T16:00:00Z',
});

t.test('parses a good IMDS document from an object or JSON text', async (t) => {
  const doc = imdsDoc();
  t.same(parseImdsCredentials(doc), doc);
  t.same(parseImdsCredentials(JSON.stringify(doc)), doc);
});

t.test('rejects malformed IMDS documents without echoing secrets', async (t) => {
  for (const bad of [
    { ...imdsDoc(), Code: 'Failure' },
    { ...imdsDoc(), Expiration: 'tomorrow' },
    { ...imdsDoc(), Expiration: '2026-11-22T16:00:00+01:00' },
    { ...imdsDoc(), Token: '' },
    'not json{',
    null,
  ]) {
    const error = t.throws(() => parseImdsCredentials(bad)) as unknown;
    t.type(error, CredentialsFormatError);
    t.notMatch((error as Error).message, secret);
  }
});

t.test('maps to the container-credentials format with Expiration unchanged', async (t) => {
  const doc = imdsDoc();
  const out = toContainerCredentials(doc, {
    accountId: '123456789012',
    roleArn: 'arn:aws:iam::123456789012:role/app',
  });
  t.same(out, {
    AccessKeyId: doc.AccessKeyId,
    SecretAccessKey: doc.SecretAccessKey,
    Token: doc.Token,
    Expiration: '2026-11-22T16:00:00Z',
    AccountId: '123456789012',
    RoleArn: 'arn:aws:iam::123456789012:role/app',
  });
  t.same(parseContainerCredentials(JSON.stringify(out)), out);
  t.throws(() => parseContainerCredentials({ ...out, AccountId: '12' }), CredentialsFormatError);
});

t.test('unknown small fields of the IMDS document pass through to both answers', async (t) => {
  const doc = { ...imdsDoc(), AccountId: '210987654321', Region: 'eu-west-1' };
  const parsed = parseImdsCredentials({ ...doc, Nested: { x: 1 }, Huge: 'x'.repeat(10_000) });
  t.same(parsed, doc, 'AccountId and Region kept; the object and the oversized string dropped');
  const out = toContainerCredentials(parsed, { accountId: '123456789012' });
  t.equal(out.AccountId, '210987654321', 'the account IMDS sent with the credentials wins');
  t.equal(out.Region, 'eu-west-1');
  t.notOk('Code' in out || 'Type' in out || 'LastUpdated' in out, 'IMDS bookkeeping stays out');
  t.same(parseContainerCredentials(out).AccessKeyId, doc.AccessKeyId);
  const odd = toContainerCredentials(
    { ...doc, AccountId: 'not-an-account' },
    {
      accountId: '123456789012',
    },
  );
  t.equal(odd.AccountId, '123456789012', 'a malformed AccountId gives way to the identity one');
});
