import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
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

/** True when any 8 characters in a row of the secret show up in the text. */
function echoes(text: string, value: string): boolean {
  for (let i = 0; i + 8 <= value.length; i++) if (text.includes(value.slice(i, i + 8))) return true;
  return false;
}

t.test('rejects malformed IMDS documents without echoing secrets', async (t) => {
  const good = imdsDoc();
  // Every input holds the secret: in its own field, in the failing field, or in broken JSON.
  for (const [name, bad] of [
    ['wrong Code', { ...good, Code: 'Failure' }],
    ['secret as Code', { ...good, Code: secret }],
    ['secret as Type', { ...good, Type: secret }],
    ['secret as Expiration', { ...good, Expiration: secret }],
    ['offset Expiration', { ...good, Expiration: '2026-11-22T16:00:00+01:00' }],
    ['empty Token', { ...good, Token: '' }],
    ['secret as AccessKeyId number', { ...good, AccessKeyId: 42, Token: secret }],
    ['JSON cut short', JSON.stringify(good).slice(0, -2)],
    ['JSON with the secret unquoted', `{"Code":"Success","SecretAccessKey":${secret}}`],
    ['JSON with a bad Expiration', JSON.stringify({ ...good, Expiration: 'tomorrow' })],
  ] as const) {
    const error = t.throws(() => parseImdsCredentials(bad), name) as CredentialsFormatError;
    t.type(error, CredentialsFormatError);
    for (const [where, text] of [
      ['message', error.message],
      ['issues', JSON.stringify(error.issues)],
      ['inspect', inspect(error, { depth: 10 })],
    ] as const) {
      t.notOk(echoes(text, secret), `${name}: no part of the secret in the ${where}`);
    }
  }
  for (const bad of ['not json{', null]) {
    t.throws(() => parseImdsCredentials(bad), CredentialsFormatError);
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

t.test('timestamps: RFC 3339 in UTC, whole string, fractions of any length', async (t) => {
  const good = imdsDoc();
  for (const Expiration of ['2026-11-22T16:00:00.5Z', '2026-11-22T16:00:00.123456Z']) {
    t.equal(parseImdsCredentials({ ...good, Expiration }).Expiration, Expiration, Expiration);
  }
  const issuesOf = (input: unknown) => {
    try {
      parseImdsCredentials(input);
    } catch (error) {
      if (error instanceof CredentialsFormatError) return error.issues;
      throw error;
    }
    return 'accepted';
  };
  const notRfc = 'Expiration: must be an RFC 3339 UTC timestamp ending in Z';
  const notReal = 'Expiration: must be a real date';
  t.same(
    issuesOf({ ...good, Expiration: 'x2026-11-22T16:00:00Z' }),
    [notRfc, notReal],
    'text before',
  );
  t.same(
    issuesOf({ ...good, Expiration: '2026-11-22T16:00:00Zx' }),
    [notRfc, notReal],
    'text after',
  );
  t.same(issuesOf({ ...good, Expiration: '2026-13-45T99:99:99Z' }), [notReal], 'shaped, not real');
  t.same(issuesOf({ ...good, Code: 'Failure' }), ['Code: Code must be "Success"']);
});

t.test('the error names the document and lists every issue by its path', async (t) => {
  const good = imdsDoc();
  const imds = t.throws(() =>
    parseImdsCredentials({ ...good, Code: 'Failure', Token: '' }),
  ) as CredentialsFormatError;
  t.same(imds.issues, [
    'Code: Code must be "Success"',
    'Token: Too small: expected string to have >=1 characters',
  ]);
  t.equal(
    imds.message,
    'malformed IMDS credentials document: Code: Code must be "Success"; Token: Too small: expected string to have >=1 characters',
  );
  const whole = t.throws(() => parseImdsCredentials(null)) as CredentialsFormatError;
  t.same(whole.issues, ['(document): Invalid input: expected object, received null']);
  const notJson = t.throws(() =>
    parseContainerCredentials('{"AccessKeyId":'),
  ) as CredentialsFormatError;
  t.equal(notJson.message, 'malformed container credentials response: not JSON');
  t.same(notJson.issues, ['(document): not JSON']);
  t.equal(notJson.name, 'CredentialsFormatError');
});

t.test('container answers: a 12-digit account id and an ARN, or neither', async (t) => {
  const base = toContainerCredentials(imdsDoc());
  t.notOk('AccountId' in base || 'RoleArn' in base, 'no identity, no AccountId or RoleArn');
  t.same(
    parseContainerCredentials({ ...base, AccountId: '123456789012' }).AccountId,
    '123456789012',
  );
  for (const AccountId of ['1234567890123', 'x123456789012', '12345678901a']) {
    const error = t.throws(() =>
      parseContainerCredentials({ ...base, AccountId }),
    ) as CredentialsFormatError;
    t.same(error.issues, ['AccountId: Invalid string: must match pattern /^\\d{12}$/'], AccountId);
  }
  const arn = t.throws(() =>
    parseContainerCredentials({ ...base, RoleArn: 'role/app' }),
  ) as CredentialsFormatError;
  t.same(arn.issues, ['RoleArn: Invalid string: must start with "arn:"']);
});

t.test("IMDS's own AccountId and RoleArn never pass through unchecked", async (t) => {
  // A malformed AccountId, or a RoleArn IMDS happened to send, would make the answer one an SDK rejects.
  const doc = { ...imdsDoc(), AccountId: 'not-an-account', RoleArn: 'not-an-arn' };
  const out = toContainerCredentials(doc);
  t.notOk('AccountId' in out, 'the malformed AccountId is dropped');
  t.notOk('RoleArn' in out, 'a RoleArn comes from the identity only');
  t.same(parseContainerCredentials(out).AccessKeyId, doc.AccessKeyId);
  const withRole = toContainerCredentials(doc, { roleArn: 'arn:aws:iam::123456789012:role/app' });
  t.equal(withRole.RoleArn, 'arn:aws:iam::123456789012:role/app');
});
