import t from 'tap';
import { createLogger } from './log.js';

t.test('secret fields are redacted wherever they sit', async (t) => {
  const lines: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: { write: (line) => void lines.push(line) },
  });
  log.info(
    {
      SecretAccessKey: 'secret-1',
      Token: 'secret-2',
      Authorization: 'secret-3',
      document: { SecretAccessKey: 'secret-4', Token: 'secret-5', AccessKeyId: 'visible' },
      req: { headers: { authorization: 'secret-6', 'x-aws-ec2-metadata-token': 'secret-7' } },
      credentials: { secretAccessKey: 'secret-8', sessionToken: 'secret-9' },
    },
    'hello',
  );
  const text = lines.join('');
  t.match(text, /"msg":"hello"/);
  t.match(text, /"AccessKeyId":"visible"/);
  t.notMatch(text, /secret-\d/);
  t.match(text, /\[redacted\]/);
});

t.test('an IMDS request attached to a logged error keeps its session token out', async (t) => {
  const lines: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: { write: (line) => void lines.push(line) },
  });
  const request = { method: 'GET', headers: { 'X-aws-ec2-metadata-token': 'secret-imds-1' } };
  const err = Object.assign(new Error('refresh failed', { cause: new Error('inner') }), {
    request,
    attempts: [{ request: { headers: { 'x-aws-ec2-metadata-token': 'secret-imds-2' } } }],
  });
  log.error({ err, reason: 'throttled' }, 'credential refresh failed');
  log.warn(err, 'as the first argument');
  log.info({ deep: { a: { b: { c: { Authorization: 'secret-imds-3', Token: 'secret-4' } } } } });
  const looped: Record<string, unknown> = { name: 'loop' };
  looped.self = looped;
  log.info({ looped, when: new Date(0) }, 'odd values');
  const text = lines.join('');
  t.notMatch(text, /secret-/, 'no secret at any depth, in any case');
  t.match(text, /"message":"refresh failed: inner"/, 'the error is still serialized');
  t.match(text, /"X-aws-ec2-metadata-token":"\[redacted\]"/);
  t.match(text, /"reason":"throttled"/);
  t.match(text, /"self":"\[Circular\]"/);
  t.match(text, /"when":"1970-01-01T00:00:00.000Z"/);
  t.equal(lines.length, 4);
});
