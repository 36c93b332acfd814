import { parseContainerCredentials } from '@empdir/shared';
import t from 'tap';
import { CredentialsBody } from './credentials-body.js';
import { imdsDoc } from './upstream.fixture.js';

const NOW = Date.UTC(2026, 0, 1);

t.test(
  'one serialized body per document and account id, rebuilt when either changes',
  async (t) => {
    const body = new CredentialsBody();
    const first = imdsDoc(NOW);
    const a = body.for(first, undefined);
    const parsed = parseContainerCredentials(a.toString('utf8'));
    t.equal(parsed.AccessKeyId, first.AccessKeyId);
    t.equal(parsed.Expiration, first.Expiration);
    t.notOk('AccountId' in parsed, 'no account id while it is unknown');
    t.equal(body.for(first, undefined), a, 'same inputs: the same Buffer, not a new one');

    const withAccount = body.for(first, '123456789012');
    t.not(withAccount, a);
    t.equal(parseContainerCredentials(withAccount.toString('utf8')).AccountId, '123456789012');

    const rotated = imdsDoc(NOW + 3_600_000);
    const b = body.for(rotated, '123456789012');
    const reparsed = parseContainerCredentials(b.toString('utf8'));
    t.equal(reparsed.AccessKeyId, rotated.AccessKeyId, 'rotated credentials are served at once');
    t.equal(reparsed.SecretAccessKey, rotated.SecretAccessKey);
    t.not(reparsed.AccessKeyId, first.AccessKeyId);
  },
);

t.test('small fields IMDS added to the document are in the body; its AccountId wins', async (t) => {
  const body = new CredentialsBody();
  const doc = { ...imdsDoc(NOW), AccountId: '210987654321', Version: 2 };
  const parsed = JSON.parse(body.for(doc, '123456789012').toString('utf8'));
  t.equal(parsed.AccountId, '210987654321');
  t.equal(parsed.Version, 2);
  t.notOk('Code' in parsed || 'LastUpdated' in parsed || 'Type' in parsed);
  t.equal(parseContainerCredentials(parsed).AccessKeyId, doc.AccessKeyId);
});
