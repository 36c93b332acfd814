// An unmodified AWS SDK v3 process for the per-client tests: credentials from the default Node
// chain (only AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE set),
// then one signed sts:GetCallerIdentity to the endpoint given. Prints one JSON line.
//   node scoped-sdk-client.mjs <sts-endpoint>
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const [endpoint] = process.argv.slice(2);
const sts = new STSClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
try {
  const credentials = await sts.config.credentials();
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  process.stdout.write(
    `${JSON.stringify({ ok: true, accessKeyId: credentials.accessKeyId, arn: identity.Arn })}\n`,
  );
} catch (err) {
  const name = err instanceof Error ? err.name : 'NonError';
  process.stdout.write(`${JSON.stringify({ ok: false, error: name })}\n`);
  process.exitCode = 1;
} finally {
  sts.destroy();
}
