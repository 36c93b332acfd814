import t from 'tap';
import { parseConfig } from './config.js';
import { ConfigError } from './errors.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

t.test('defaults are the documented ones', async (t) => {
  const config = parseConfig({});
  t.same(config.listen, { host: '127.0.0.1', port: 9911 });
  t.same(config.opsListen, { host: '127.0.0.1', port: 9912 });
  t.equal(config.tokenFile, '/run/imds-cache/token');
  t.equal(config.imdsEndpoint, 'http://169.254.169.254');
  t.equal(config.imdsTimeoutMs, 1000);
  t.equal(config.imdsTokenTtlSeconds, 21600);
  t.equal(config.upstreamMaxRps, 2);
  t.equal(config.ttlMs, 120_000);
  t.equal(config.minRemainingMs, 900_000);
  t.equal(config.serveFloorMs, 60_000);
  t.equal(config.staticStability, 'extend');
  t.equal(config.imdsFacade, false);
  t.equal(config.rateLimitRps, 1000);
  t.equal(config.rateLimitBurst, 500);
  t.equal(config.roleName, undefined);
  t.equal(config.tokenOverlapMs, 600_000);
  t.same(config.facadeUsers, []);
  t.equal(config.maxConnections, 4096);
  t.equal(config.maxConnectionsPerUid, 1024);
  t.equal(config.headersTimeoutMs, 5000);
  t.equal(config.requestTimeoutMs, 10_000);
  t.equal(config.auditIntervalMs, 60_000);
  t.ok(Object.isFrozen(config));
});

t.test('parses explicit values; empty means default', async (t) => {
  const config = parseConfig({
    IMDS_CACHE_LISTEN: '[::1]:0',
    IMDS_CACHE_OPS_LISTEN: 'localhost:8000',
    IMDS_CACHE_IMDS_FACADE: 'ON',
    IMDS_CACHE_FACADE_USERS: 'empdir-api, 1001,nobody',
    IMDS_CACHE_RATE_LIMIT_RPS: '0',
    IMDS_CACHE_ROLE_NAME: 'my-role',
    IMDS_CACHE_IMDS_ENDPOINT: 'http://[fd00:ec2::254]',
    IMDS_CACHE_TTL_MS: '',
  });
  t.same(config.listen, { host: '::1', port: 0 });
  t.same(config.opsListen, { host: '127.0.0.1', port: 8000 });
  t.equal(config.imdsFacade, true);
  t.same(config.facadeUsers, ['empdir-api', '1001', 'nobody']);
  t.equal(config.rateLimitRps, 0);
  t.equal(config.roleName, 'my-role');
  t.equal(config.imdsEndpoint, 'http://[fd00:ec2::254]');
  t.equal(config.ttlMs, 120_000);
  t.equal(parseConfig({ IMDS_CACHE_IMDS_FACADE: 'false' }).imdsFacade, false);
  t.equal(parseConfig({ IMDS_CACHE_STATIC_STABILITY: 'strict' }).staticStability, 'strict');
  t.match(problemsOf({ IMDS_CACHE_STATIC_STABILITY: 'loose' }), [
    /IMDS_CACHE_STATIC_STABILITY: got "loose", /,
  ]);
});

t.test('every bad key is listed at once, with what it got and what it expected', async (t) => {
  const problems = problemsOf({
    IMDS_CACHE_LISTEN: 'nope',
    IMDS_CACHE_TTL_MS: '12s',
    IMDS_CACHE_IMDS_FACADE: 'maybe',
    IMDS_CACHE_IMDS_ENDPOINT: 'https://169.254.169.254/latest',
    IMDS_CACHE_TOKEN_FILE: 'relative/token',
    IMDS_CACHE_ROLE_NAME: 'bad/role',
    IMDS_CACHE_RATE_LIMIT_BURST: '0',
    IMDS_CACHE_TTL: '5',
  });
  const keys = problems.map((problem) => problem.split(':')[0]).sort();
  t.same(keys, [
    'IMDS_CACHE_IMDS_ENDPOINT',
    'IMDS_CACHE_IMDS_FACADE',
    'IMDS_CACHE_LISTEN',
    'IMDS_CACHE_RATE_LIMIT_BURST',
    'IMDS_CACHE_ROLE_NAME',
    'IMDS_CACHE_TOKEN_FILE',
    'IMDS_CACHE_TTL',
    'IMDS_CACHE_TTL_MS',
  ]);
  t.match(
    problems.find((p) => p.startsWith('IMDS_CACHE_TTL_MS')),
    /got "12s", expected a whole number/,
  );
  t.match(
    problems.find((p) => p.startsWith('IMDS_CACHE_TTL:')),
    /unknown setting/,
  );
});

t.test('listen addresses must be loopback unless explicitly allowed', async (t) => {
  const env = { IMDS_CACHE_LISTEN: '10.0.0.5:9911', IMDS_CACHE_OPS_LISTEN: '[::]:9912' };
  const problems = problemsOf(env);
  t.equal(problems.length, 2);
  t.match(problems[0], /IMDS_CACHE_LISTEN: got "10.0.0.5:9911", expected a loopback address/);
  t.match(problems[1], /IMDS_CACHE_OPS_LISTEN/);
  const allowed = parseConfig({ ...env, IMDS_CACHE_ALLOW_NON_LOOPBACK: 'on' });
  t.same(allowed.listen, { host: '10.0.0.5', port: 9911 });
  t.same(problemsOf({ IMDS_CACHE_LISTEN: '127.9.9.9:1' }), []);
});

t.test('relations between keys are checked', async (t) => {
  t.match(problemsOf({ IMDS_CACHE_OPS_LISTEN: '127.0.0.1:9911' }), [/must differ/]);
  t.match(problemsOf({ IMDS_CACHE_SERVE_FLOOR_MS: '900000' }), [
    /IMDS_CACHE_SERVE_FLOOR_MS: got 900000, expected less than IMDS_CACHE_MIN_REMAINING_MS/,
  ]);
  // A relation is still checked when an unrelated key is bad.
  t.equal(problemsOf({ IMDS_CACHE_SERVE_FLOOR_MS: '900000', IMDS_CACHE_TTL_MS: 'x' }).length, 2);
});

t.test('the facade needs its user list; caps and timeouts must fit together', async (t) => {
  t.match(problemsOf({ IMDS_CACHE_IMDS_FACADE: 'on' }), [
    /IMDS_CACHE_FACADE_USERS: got \(unset\), expected the users the facade may serve/,
  ]);
  t.match(problemsOf({ IMDS_CACHE_FACADE_USERS: 'root;rm -rf' }), [
    /IMDS_CACHE_FACADE_USERS: .*expected user names or uids/,
  ]);
  t.match(
    problemsOf({ IMDS_CACHE_MAX_CONNECTIONS: '10', IMDS_CACHE_MAX_CONNECTIONS_PER_UID: '11' }),
    [/IMDS_CACHE_MAX_CONNECTIONS_PER_UID: got "11", expected at most IMDS_CACHE_MAX_CONNECTIONS/],
  );
  t.match(
    problemsOf({ IMDS_CACHE_HEADERS_TIMEOUT_MS: '2000', IMDS_CACHE_REQUEST_TIMEOUT_MS: '1000' }),
    [/IMDS_CACHE_HEADERS_TIMEOUT_MS: got 2000, expected at most/],
  );
});

t.test('per-client roles: clients file, STS endpoint, serving the instance role', async (t) => {
  const defaults = parseConfig({});
  t.equal(defaults.clientsFile, undefined);
  t.equal(defaults.stsEndpoint, undefined, 'default: the regional endpoint, from the instance');
  t.equal(defaults.serveInstanceRole, true);
  const set = parseConfig({
    IMDS_CACHE_CLIENTS_FILE: '/etc/imds-cache/clients.json',
    IMDS_CACHE_STS_ENDPOINT: 'http://127.0.0.1:4566',
    IMDS_CACHE_SERVE_INSTANCE_ROLE: 'off',
  });
  t.equal(set.clientsFile, '/etc/imds-cache/clients.json');
  t.equal(set.stsEndpoint, 'http://127.0.0.1:4566');
  t.equal(set.serveInstanceRole, false);
  t.equal(
    parseConfig({ IMDS_CACHE_STS_ENDPOINT: 'https://sts.eu-west-1.amazonaws.com' }).stsEndpoint,
    'https://sts.eu-west-1.amazonaws.com',
  );
  const problems = problemsOf({
    IMDS_CACHE_CLIENTS_FILE: 'clients.json',
    IMDS_CACHE_STS_ENDPOINT: 'http://sts.example.com',
    IMDS_CACHE_SERVE_INSTANCE_ROLE: 'maybe',
  });
  t.equal(problems.length, 3, 'every bad key listed');
  t.match(problems, [
    /^IMDS_CACHE_CLIENTS_FILE: got "clients.json", expected an absolute path/,
    /^IMDS_CACHE_STS_ENDPOINT: got "http:\/\/sts.example.com", expected https/,
    /^IMDS_CACHE_SERVE_INSTANCE_ROLE: got "maybe"/,
  ]);
  t.match(problemsOf({ IMDS_CACHE_STS_ENDPOINT: 'https://sts.amazonaws.com/path' }), [
    /IMDS_CACHE_STS_ENDPOINT/,
  ]);
});
