// src/lambda.ts's handler, invoked with API Gateway HTTP API (v2) and Function URL events from
// test/fixtures/lambda, against the DynamoDB and S3 stand-ins through the real SDK.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  createLambdaHandler,
  type LambdaEvent,
  type LambdaHandler,
} from '../../packages/api/src/lambda.js';
import {
  createTableIfMissing,
  dynamoDbClientConfig,
  localAwsCredentials,
} from '../support/local-aws.js';
import { startApiStandins } from './api-harness.js';

type V2Event = Record<string, unknown> & {
  rawPath: string;
  headers: Record<string, string>;
  requestContext: { domainName: string; http: { method: string; path: string } };
  cookies?: string[];
  body?: string;
};
type V2Result = {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
  cookies?: string[];
  isBase64Encoded: boolean;
};

const fixture = (name: string): V2Event =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lambda', `${name}.json`), 'utf8'),
  );

const standins = await startApiStandins();
t.teardown(() => standins.stop());
let tables = 0;

/** A handler on a table of its own, so no test sees another's employees or depends on them. */
async function lambda() {
  const tableName = `Employees-lambda-${++tables}`;
  await createTableIfMissing(dynamoDbClientConfig(standins.ddb), tableName);
  const handler: LambdaHandler = createLambdaHandler(
    standins.config({ AWS_LAMBDA_FUNCTION_NAME: 'empdir-api', TABLE_NAME: tableName }),
    { credentials: localAwsCredentials() },
  );
  /** Invokes with a bearer token (the editor machine client's unless `token` says otherwise). */
  const invoke = async (event: V2Event, token: string | null = standins.token) => {
    if (token) event.headers = { ...event.headers, authorization: `Bearer ${token}` };
    return (await handler(event as unknown as LambdaEvent)) as unknown as V2Result;
  };
  /** One employee, created through the handler like the first test does. */
  const createEmployee = async (): Promise<string> => {
    const created = await invoke(fixture('apigw-v2-create-employee'));
    if (created.statusCode !== 201) throw new Error(`create failed: ${created.body}`);
    return JSON.parse(created.body).id;
  };
  return { tableName, invoke, createEmployee };
}

t.test('without a token: 401 with a Bearer challenge, and nothing created', async (t) => {
  const { invoke } = await lambda();
  const res = await invoke(fixture('apigw-v2-create-employee'), null);
  t.equal(res.statusCode, 401);
  t.match(res.headers['www-authenticate'], /^Bearer/);
  t.equal(JSON.parse(res.body).error.code, 'unauthorized');
  const page = await invoke(fixture('function-url-home-page'), null);
  t.equal(page.statusCode, 302);
  t.equal(page.headers.location, '/auth/login?returnTo=%2F');
});

t.test('API Gateway v2: create then list', async (t) => {
  const { invoke } = await lambda();
  const created = await invoke(fixture('apigw-v2-create-employee'));
  t.equal(created.statusCode, 201);
  const body = JSON.parse(created.body);
  t.match(body, { fullName: 'Lambda Lovelace', badges: ['plane'], version: 1 });
  t.equal(created.headers.location, `/api/employees/${body.id}`);
  t.match(created.headers['x-request-id'], /.+/);
  const employeeId = body.id;
  const list = await invoke(fixture('apigw-v2-list-employees'));
  t.equal(list.statusCode, 200);
  t.same(
    JSON.parse(list.body).items.map((e: { id: string }) => e.id),
    [employeeId],
  );
});

t.test('Function URL: a binary photo upload (base64 body) is stored as PNG', async (t) => {
  const { invoke, createEmployee } = await lambda();
  const employeeId = await createEmployee();
  const event = fixture('function-url-put-photo');
  event.rawPath = event.rawPath.replace('{id}', employeeId);
  event.requestContext.http.path = event.rawPath;
  const res = await invoke(event);
  t.equal(res.statusCode, 200);
  t.match(JSON.parse(res.body), { photoKey: /^employee-pic\/[0-9a-f]{32}\.png$/, version: 2 });
});

t.test('Function URL: the home page, its cookies, and a CSRF-checked form post', async (t) => {
  const { invoke, createEmployee } = await lambda();
  const employeeId = await createEmployee();
  const page = await invoke(fixture('function-url-home-page'));
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], 'text/html');
  t.match(page.headers['content-security-policy'], "default-src 'none'");
  t.match(page.body, 'Lambda Lovelace');
  const csrfCookie = page.cookies?.find((c) => c.startsWith('empdir_csrf='));
  t.match(csrfCookie, /; Secure/, 'Secure: the Function URL is HTTPS');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  // The list links to the confirmation page; the version to delete is the one it shows.
  const ask = fixture('function-url-home-page');
  ask.rawPath = `/delete/${employeeId}`;
  ask.requestContext.http = { ...ask.requestContext.http, path: ask.rawPath };
  const confirm = await invoke(ask);
  t.equal(confirm.statusCode, 200, 'the confirmation page');
  const version = /name="version" value="(\d+)"/.exec(confirm.body)?.[1] ?? '';
  t.ok(version, 'it carries the version');

  const post = (withToken: boolean): V2Event => {
    const event = fixture('function-url-home-page');
    const domain = event.requestContext.domainName;
    event.rawPath = `/delete/${employeeId}`;
    event.requestContext.http = {
      ...event.requestContext.http,
      method: 'POST',
      path: event.rawPath,
    };
    event.headers = {
      ...event.headers,
      'content-type': 'application/x-www-form-urlencoded',
      origin: `https://${domain}`,
      'sec-fetch-site': 'same-origin',
    };
    event.cookies = [csrfCookie?.split(';')[0] ?? ''];
    event.body = new URLSearchParams({
      ...(withToken ? { _csrf: token } : {}),
      version,
    }).toString();
    return event;
  };
  t.equal((await invoke(post(false))).statusCode, 403, 'no token, no delete');
  const deleted = await invoke(post(true));
  t.equal(deleted.statusCode, 303);
  t.equal(deleted.headers.location, '/');
  t.ok(
    deleted.cookies?.some((c) => c.startsWith('empdir_flash=')),
    'flash cookie set',
  );
  const list = await invoke(fixture('apigw-v2-list-employees'));
  t.same(JSON.parse(list.body).items, []);
});

t.test('on Lambda the info page says so and offers no CPU stress', async (t) => {
  const event = fixture('function-url-home-page');
  event.rawPath = '/info';
  event.requestContext.http.path = '/info';
  const { invoke } = await lambda();
  const editor = await invoke({ ...event, headers: { ...event.headers } });
  t.equal(editor.statusCode, 403, 'the info page is for admins');
  const res = await invoke(event, standins.adminToken);
  t.equal(res.statusCode, 200);
  t.match(res.body, 'Running on AWS Lambda (function empdir-api)');
  t.notMatch(res.body, 'name="minutes"');
});

t.test('the exported handler reads its configuration from the environment once', async (t) => {
  const { tableName } = await lambda();
  const config = standins.config();
  const credentials = localAwsCredentials();
  const env = {
    TABLE_NAME: tableName,
    PHOTOS_BUCKET: config.photosBucket,
    AWS_REGION: config.region,
    DYNAMODB_ENDPOINT: config.dynamoDbEndpoint,
    S3_ENDPOINT: config.s3Endpoint,
    LOG_LEVEL: 'silent',
    AWS_LAMBDA_FUNCTION_NAME: 'empdir-api',
    OIDC_ISSUER: standins.oidc.issuer,
    OIDC_CLIENT_ID: standins.oidc.clientId,
    // The default credential chain reads these, as it reads the role's on Lambda.
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
  // Put back exactly what was there, so nothing after this test runs with these values.
  const before = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  t.teardown(() => {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  Object.assign(process.env, env);
  const { handler: exported } = await import('../../packages/api/src/lambda.js');
  const event = fixture('apigw-v2-list-employees');
  event.headers = { ...event.headers, authorization: `Bearer ${standins.token}` };
  const res = (await exported(event as unknown as LambdaEvent)) as unknown as V2Result;
  t.equal(res.statusCode, 200);
  t.same(JSON.parse(res.body), { items: [] });
});
