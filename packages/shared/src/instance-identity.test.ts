import t from 'tap';
import { instanceIdentityDocumentSchema, instanceInfoSchema } from './instance-identity.js';

const identity = {
  instanceId: 'i-0123456789abcdef0',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1a',
  instanceType: 't3.micro',
  accountId: '123456789012',
};

const paths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.success ? 'ok' : result.error?.issues.map((issue) => issue.path.join('.'));

t.test('the identity document: five checked fields, its other small fields kept', async (t) => {
  const doc = { ...identity, imageId: 'ami-0abc', privateIp: '10.0.0.5', version: 2 };
  t.same(instanceIdentityDocumentSchema.parse({ ...doc, devpayProductCodes: null }), doc);
  t.same(instanceInfoSchema.parse(doc), identity, 'GET /v1/instance serves the five fields only');
});

t.test('every checked field must be there and not empty', async (t) => {
  for (const field of Object.keys(identity)) {
    t.same(paths(instanceIdentityDocumentSchema.safeParse({ ...identity, [field]: '' })), [field]);
    const { [field]: _gone, ...rest } = identity as Record<string, string>;
    t.same(paths(instanceInfoSchema.safeParse(rest)), [field], `${field} missing`);
  }
});

t.test('the account id is exactly 12 digits', async (t) => {
  for (const accountId of ['1234567890123', 'x123456789012', '12345678901x', '1', 'abcdefghijkl']) {
    t.same(
      paths(instanceIdentityDocumentSchema.safeParse({ ...identity, accountId })),
      ['accountId'],
      accountId,
    );
  }
});
