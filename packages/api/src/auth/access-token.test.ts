import t, { type Test } from 'tap';
import { createTestDeps } from '../../test-support/fake-deps.js';
import { FAKE_CLIENT_ID, foreignAccessToken } from '../../test-support/fake-oidc.js';
import { accessToken } from '../../test-support/sign-in.js';
import { createApp } from '../app.js';

function setup(env: Record<string, string> = {}) {
  const deps = createTestDeps(env);
  const app = createApp(deps);
  const call = (token: string, method = 'GET', path = '/api/employees') =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body:
        method === 'POST'
          ? JSON.stringify({ fullName: 'A', location: 'B', jobTitle: 'C' })
          : undefined,
    });
  return { deps, app, call };
}

async function refused(t: Test, res: Response, reason: RegExp) {
  t.equal(res.status, 401);
  t.match(res.headers.get('www-authenticate'), /^Bearer realm="empdir", error="invalid_token"/);
  t.match(res.headers.get('www-authenticate'), reason);
  const body = await res.json();
  t.equal(body.error.code, 'unauthorized');
  t.equal(body.error.requestId, res.headers.get('x-request-id'));
}

t.test('a token with a groups claim: viewer reads, editor writes', async (t) => {
  const { deps, call } = setup();
  const viewer = await accessToken(deps.oidc, deps.now(), { role: 'viewer' });
  t.equal((await call(viewer)).status, 200);
  t.equal((await call(viewer, 'POST')).status, 403);
  const editor = await accessToken(deps.oidc, deps.now(), { role: 'editor' });
  t.equal((await call(editor, 'POST')).status, 201);
});

t.test('a machine client: the role comes from its directory/<role> scope', async (t) => {
  const { deps, call } = setup();
  const token = await accessToken(deps.oidc, deps.now(), { scope: 'openid directory/editor' });
  t.equal((await call(token, 'POST')).status, 201);
  const other = await accessToken(deps.oidc, deps.now(), { scope: 'directory/superuser profile' });
  t.equal((await call(other)).status, 403, 'no known role: signed in, but forbidden');
});

t.test('the audience: aud must be accepted, or client_id when there is no aud', async (t) => {
  const { deps, call } = setup({ OIDC_AUDIENCE: `${FAKE_CLIENT_ID},https://api.example.com` });
  const withAud = await accessToken(deps.oidc, deps.now(), {
    role: 'viewer',
    aud: ['https://other.example.com', 'https://api.example.com'],
  });
  t.equal((await call(withAud)).status, 200, 'one accepted aud is enough');
  const cognitoStyle = await accessToken(deps.oidc, deps.now(), { role: 'viewer' });
  t.equal((await call(cognitoStyle)).status, 200, 'client_id, no aud');
  const wrongAud = await accessToken(deps.oidc, deps.now(), {
    role: 'viewer',
    aud: 'https://other.example.com',
  });
  await refused(t, await call(wrongAud), /wrong audience/);
  const wrongClient = await accessToken(deps.oidc, deps.now(), {
    role: 'viewer',
    client_id: 'someone-else',
  });
  await refused(t, await call(wrongClient), /wrong audience/);
});

t.test('expired, foreign, wrong issuer, ID tokens and junk are refused', async (t) => {
  const { deps, call, app } = setup();
  const old = await deps.oidc.accessToken(
    { sub: 'x', 'cognito:groups': ['admin'] },
    { nowMs: deps.now() - 2 * 3600_000 },
  );
  await refused(t, await call(old), /expired/);
  const foreign = await foreignAccessToken({ sub: 'x', client_id: FAKE_CLIENT_ID }, deps.now());
  await refused(t, await call(foreign), /not accepted/);
  const otherIssuer = await accessToken(deps.oidc, deps.now(), {
    role: 'admin',
    iss: 'https://evil.example',
  });
  await refused(t, await call(otherIssuer), /not accepted/);
  const idToken = await accessToken(deps.oidc, deps.now(), {
    role: 'admin',
    aud: FAKE_CLIENT_ID,
    token_use: 'id',
  });
  await refused(t, await call(idToken), /not an access token/);
  await refused(t, await call('not-a-jwt'), /not accepted/);
  const malformed = await app.request('/api/employees', {
    headers: { authorization: 'Basic abc' },
  });
  await refused(t, malformed, /malformed/);
  const page = await app.request('/', { headers: { authorization: 'Basic abc' } });
  t.equal(page.status, 302, 'pages ignore other schemes and look for the session');
});

t.test('the injected clock decides expiry', async (t) => {
  const { deps, call } = setup();
  const token = await accessToken(deps.oidc, deps.now(), { role: 'viewer' });
  deps.advance(3600_000 + 29_000);
  t.equal((await call(token)).status, 200, 'within the 30 s clock tolerance');
  deps.advance(2_000);
  t.equal((await call(token)).status, 401);
});
