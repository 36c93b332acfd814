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
