import t from 'tap';
import { TEST_ENV } from '../test-support/fake-deps.js';
import { loadConfig } from './config.js';
import { createDeps } from './create-deps.js';
import { createLogger } from './log.js';

function build(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line)),
  });
  const deps = createDeps(loadConfig({ ...TEST_ENV, ...env }), { logger });
  return { deps, lines };
}

t.test(
  'local S3: path-style, checksums only when required, images from the endpoint',
  async (t) => {
    const { deps } = build({
      S3_ENDPOINT: 'http://127.0.0.1:4568',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
    t.teardown(() => deps.close());
    t.equal(deps.aws.s3.config.forcePathStyle, true);
    t.equal(await deps.aws.s3.config.requestChecksumCalculation(), 'WHEN_REQUIRED');
    t.equal(await deps.aws.s3.config.responseChecksumValidation(), 'WHEN_REQUIRED');
    t.same(deps.photos.imageOrigins, ['http://127.0.0.1:4568']);
    const endpoint = await deps.aws.dynamoDb.config.endpoint?.();
    t.equal(endpoint?.hostname, '127.0.0.1');
    t.equal(endpoint?.port, 8000);
    t.equal(await deps.aws.dynamoDb.config.region(), 'us-east-1');
    t.equal(deps.stress.available, true);
  },
);

t.test('AWS S3: virtual-hosted photo origins for the CSP', async (t) => {
  const { deps } = build({ AWS_REGION: 'eu-west-1' });
  t.teardown(() => deps.close());
  t.same(deps.photos.imageOrigins, [
    'https://employee-photos.s3.eu-west-1.amazonaws.com',
    'https://s3.eu-west-1.amazonaws.com',
  ]);
});

t.test('a generated session secret is warned about; Lambda has no CPU stress', async (t) => {
  const { deps, lines } = build({ SESSION_SECRET: '', AWS_LAMBDA_FUNCTION_NAME: 'fn' });
  t.teardown(() => deps.close());
  t.match(lines, [{ level: 40, msg: /SESSION_SECRET is not set/ }]);
  t.equal(deps.stress.available, false);
  t.same(await deps.instanceInfo.get(), { kind: 'lambda', functionName: 'fn' });
  t.equal(deps.isShuttingDown(), false);
  await deps.close();
  t.equal(deps.isShuttingDown(), true);
});
