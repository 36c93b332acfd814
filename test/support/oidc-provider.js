// A real OpenID provider on loopback for `npm start` and the tests: oidc-provider (the certified
// implementation) with three demo users whose passwords are made at start, a minimal login form,
// and one machine client (client credentials, role editor) whose access tokens are JWTs.
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

export const WEB_CLIENT_ID = 'empdir-web';
export const MACHINE_CLIENT_ID = 'empdir-demo-machine';
/** The resource server of the API, as Cognito's resource server `directory`. */
const RESOURCE = 'urn:empdir:directory';
const ROLE_SCOPES = 'directory/viewer directory/editor directory/admin';

/**
 * @typedef {{ username: string, password: string, role: 'admin' | 'editor' | 'viewer' }} DemoUser
 * @typedef {{ clientId: string, clientSecret: string, role: 'admin' | 'editor' | 'viewer' }} DemoClient
 * @typedef {{ issuer: string, clientId: string, users: DemoUser[], clients: DemoClient[],
 *   stop: () => Promise<void> }} OidcStandin
 */

const password = () => randomBytes(12).toString('base64url');
const escapeHtml = (/** @type {string} */ s) =>
  s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** @param {string} title @param {string} body */
const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

/** @param {string} a @param {string} b */
function sameSecret(a, b) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** @param {import('node:http').IncomingMessage} req */
async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/**
 * Starts the provider on 127.0.0.1 (port 0: any free one). The web client is a public client with
 * PKCE; its redirect URIs are on loopback, where (as for native apps, RFC 8252) any port matches.
 * @param {{ port?: number, machineRoles?: DemoClient['role'][] }} [options] machineRoles: one
 *   machine client per role (default: the demo's one editor client)
 * @returns {Promise<OidcStandin>}
 */
export async function startOidcProvider(options = {}) {
  /** @type {DemoUser[]} */
  const users = ['admin', 'editor', 'viewer'].map((role) => ({
    username: role,
    password: password(),
    role: /** @type {DemoUser['role']} */ (role),
  }));
  /** @type {DemoClient[]} */
  const machines = (options.machineRoles ?? ['editor']).map((role) => ({
    clientId: role === 'editor' ? MACHINE_CLIENT_ID : `empdir-test-${role}`,
    clientSecret: password() + password(),
    role,
  }));

  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const issuer = `http://127.0.0.1:${address.port}`;

  const keys = [
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  ].map((key, i) => ({ ...key.export({ format: 'jwk' }), kid: `demo-${i}`, use: 'sig' }));

  /** @param {string} sub */
  const accountOf = (sub) => users.find((user) => `user-${user.username}` === sub);

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/auth/callback', 'http://localhost/auth/callback'],
        post_logout_redirect_uris: [
          'http://127.0.0.1/auth/signed-out',
          'http://localhost/auth/signed-out',
        ],
      },
      ...machines.map((machine) => ({
        client_id: machine.clientId,
        client_secret: machine.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: `directory/${machine.role}`,
      })),
    ],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    // Claims in the ID token itself, as Cognito does, rather than only from userinfo.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'cognito:groups'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email', ...ROLE_SCOPES.split(' ')],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (/** @type {any} */ ctx, /** @type {string} */ form) => {
          ctx.body = page(
            'Sign out',
            `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`,
          );
        },
        postLogoutSuccessSource: async (/** @type {any} */ ctx) => {
          ctx.body = page('Signed out', '<p>You are signed out.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        // Machine clients get a JWT for the directory; users' access tokens stay opaque.
        defaultResource: (/** @type {unknown} */ _ctx, /** @type {any} */ client) =>
          client?.grantTypes?.includes('client_credentials') ? RESOURCE : undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: ROLE_SCOPES,
          audience: WEB_CLIENT_ID,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    renderError: async (/** @type {any} */ ctx, /** @type {any} */ out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        `<p>${escapeHtml(String(out.error_description ?? out.error))}</p>`,
      );
    },
    findAccount: async (/** @type {unknown} */ _ctx, /** @type {string} */ sub) => {
      const user = accountOf(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          name: `Demo ${user.role}`,
          preferred_username: user.username,
          email: `${user.username}@example.com`,
          email_verified: true,
          'cognito:groups': [user.role],
        }),
      };
    },
    interactions: {
      url: (/** @type {unknown} */ _ctx, /** @type {any} */ interaction) =>
        `/interaction/${interaction.uid}`,
    },
    ttl: {
      Session: 8 * 3600,
      Interaction: 600,
      Grant: 8 * 3600,
      AccessToken: 3600,
      ClientCredentials: 3600,
      IdToken: 3600,
      AuthorizationCode: 60,
    },
  });
  // Its own log lines ("you SHOULD change…") are for operators of a real deployment.
  provider.on('server_error', () => {});

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      // A first-party demo: consent is implied, so only the login form is ever shown.
      if (details.prompt.name === 'consent') return await consent(details, req, res);
      if (req.method === 'POST' && match[2]) {
        const form = await readForm(req);
        const user = users.find((u) => u.username === form.get('username'));
        if (user && sameSecret(form.get('password') ?? '', user.password)) {
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: `user-${user.username}` } },
            {
              mergeWithLastSubmission: false,
            },
          );
          return;
        }
        return send(res, 401, loginPage(details.uid, 'Wrong username or password.'));
      }
      return send(res, 200, loginPage(details.uid, ''));
    } catch {
      return send(res, 400, page('Sign-in expired', '<p>Start again from the application.</p>'));
    }
  });

  /** @param {any} details @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function consent(details, req, res) {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({
          accountId: details.session.accountId,
          clientId: details.params.client_id,
        });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, /** @type {string[]} */ (scopes).join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  return {
    issuer,
    clientId: WEB_CLIENT_ID,
    users,
    clients: machines,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/** @param {string} uid @param {string} error */
function loginPage(uid, error) {
  return page(
    'Sign in to the Employee Directory',
    `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}` +
      `<form method="post" action="/interaction/${escapeHtml(uid)}/login">` +
      '<p><label>Username <input name="username" autocomplete="username" required autofocus></label></p>' +
      '<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>' +
      '<p><button type="submit">Sign in</button></p></form>',
  );
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} html */
function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The login form's redirects end at the application, on another loopback port.
    'content-security-policy':
      "default-src 'none'; form-action 'self' http://127.0.0.1:* http://localhost:*",
  });
  res.end(html);
}

/**
 * An access token for a machine client (client credentials grant), as `curl` gets one.
 * @param {string} issuer @param {DemoClient} client
 */
export async function clientCredentialsToken(issuer, client) {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: `directory/${client.role}`,
    }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${body.error}`);
  return /** @type {string} */ (body.access_token);
}
