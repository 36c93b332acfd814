// The host side of the EC2 deployment: user-data.sh fetches only from AWS, the two systemd units
// are hardened and agree with each other, with the packages' config keys and with the templates.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { SIGN_IN_SETTINGS } from '../../deploy/lib/sign-in.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';
import { USER_DATA_EXPORTS } from '../../deploy/lib/user-data.mjs';

const ROOT = join(DEPLOY_DIR, '..');
const read = (path: string) => readFileSync(join(DEPLOY_DIR, path), 'utf8');
const UNITS = ['imds-guard.service', 'imds-cache.service', 'employee-directory.service'];

/** `[Section] Key=Value` lines; a key that repeats keeps every value in order. */
function parseUnit(text: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) section = line.slice(1, -1);
    else {
      const eq = line.indexOf('=');
      const key = `${section}.${line.slice(0, eq)}`;
      directives.set(key, [...(directives.get(key) ?? []), line.slice(eq + 1)]);
    }
  }
  return directives;
}

const daemon = parseUnit(read('systemd/imds-cache.service'));
const api = parseUnit(read('systemd/employee-directory.service'));
const guard = parseUnit(read('systemd/imds-guard.service'));
/** The clients file user-data.sh writes for the daemon (its heredoc, with the role left as written). */
const clientsFile = () => {
  const script = read('user-data.sh');
  return JSON.parse(
    script.slice(script.indexOf('<<CLIENTS\n') + 10, script.indexOf('\nCLIENTS\n')),
  );
};
const one = (unit: Map<string, string[]>, key: string) => unit.get(`Service.${key}`)?.join(' ');
const environment = (unit: Map<string, string[]>) =>
  new Map((unit.get('Service.Environment') ?? []).map((e) => e.split('=', 2) as [string, string]));

t.test('user data installs from AWS only, with bash strict mode', async (t) => {
  const script = read('user-data.sh');
  t.doesNotThrow(() => execFileSync('bash', ['-n', join(DEPLOY_DIR, 'user-data.sh')]));
  t.match(script, /^#!\/bin\/bash\n/);
  t.match(script, /\nset -euo pipefail\n/);
  // The one curl asks this instance's own API whether it is ready, on loopback.
  const readiness = 'curl -fsS -o /dev/null --max-time 5 "$READY_URL"';
  t.ok(script.includes(readiness));
  t.notMatch(
    script.replace(readiness, ''),
    /\b(curl|wget|pip|npm|npx|git)\b/,
    'no downloader, no package manager but dnf',
  );
  const code = script.replace(/^\s*#.*$/gm, '');
  t.same(
    code.match(/https?:\/\/\S*/g),
    ['http://127.0.0.1:8080/readyz}"', `https://\${DOMAIN_NAME}"`],
    'no URL but the loopback readiness check and the trusted origin it writes',
  );
  t.same(script.match(/\bdnf install [^\n]*/g), [
    'dnf install -y --setopt=install_weak_deps=False nodejs22 aws-cfn-bootstrap nftables',
  ]);
  t.same(
    [...script.matchAll(/\baws (\S+ \S+)/g)].map((m) => m[1]),
    ['s3 cp', 'secretsmanager get-secret-value'],
    'the artefact from S3 and the session secret, nothing else',
  );
  const required = [...script.matchAll(/"\$\{([A-Z0-9_]+):[?-]\}"/g)].map((m) => m[1]);
  t.same(
    [...new Set(required)].sort(),
    [...Object.keys(USER_DATA_EXPORTS), ...Object.keys(SIGN_IN_SETTINGS)].sort(),
    'exactly what the template exports',
  );
});

t.test('the daemon runs as its own user in a hardened unit that keeps the token', async (t) => {
  t.equal(one(daemon, 'User'), 'imds-cache');
  t.equal(one(daemon, 'Group'), 'imds-cache');
  for (const [key, value] of [
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['CapabilityBoundingSet', ''],
    ['Restart', 'always'],
    ['RestartPreventExitStatus', '2'],
    ['ExecReload', '/bin/kill -HUP $MAINPID'],
    ['RuntimeDirectory', 'imds-cache imds-cache/clients'],
    ['RuntimeDirectoryMode', '0751'],
    ['UMask', '0027'],
    ['IPAddressDeny', 'any'],
    ['IPAddressAllow', 'localhost 169.254.169.254 fd00:ec2::254'],
    ['SupplementaryGroups', 'empdir-api'],
    ['InaccessiblePaths', '-/etc/empdir'],
  ]) {
    t.equal(one(daemon, key as string), value, `imds-cache ${key}=${value}`);
  }
  const env = environment(daemon);
  t.equal(
    env.get('IMDS_CACHE_TOKEN_FILE'),
    '/run/imds-cache/token',
    'the token in the runtime directory',
  );
  t.equal(env.get('IMDS_CACHE_SERVE_INSTANCE_ROLE'), 'off', 'the instance role goes to no one');
  t.equal(env.get('IMDS_CACHE_CLIENTS_FILE'), '/etc/imds-cache/clients.json');
  t.match(env.get('IMDS_CACHE_LISTEN'), /^127\.0\.0\.1:\d+$/, 'loopback only');
  t.match(env.get('IMDS_CACHE_OPS_LISTEN'), /^127\.0\.0\.1:\d+$/, 'loopback only');
  t.equal(
    one(daemon, 'ExecStart'),
    '/usr/bin/node-22 --max-semi-space-size=4 /opt/empdir/current/imds-cache/dist/main.js',
  );
  t.equal(
    one(daemon, 'ExecStartPost'),
    '/usr/bin/node-22 /opt/empdir/current/imds-cache/dist/main.js wait-ready $MAINPID',
    'started means this process is ready, not that a token file exists',
  );
});

t.test(
  "the API reads its own client's token through its own group and holds no keys",
  async (t) => {
    t.equal(one(api, 'User'), 'empdir-api');
    t.not(one(api, 'User'), one(daemon, 'User'), 'a different user from the daemon');
    t.equal(
      one(api, 'SupplementaryGroups'),
      undefined,
      'not in the daemon group: the main token is no use to it',
    );
    const [client, ...others] = clientsFile().clients;
    t.same(others, []);
    t.match(client, { name: 'api', group: one(api, 'Group'), roleArn: `\${API_ROLE_ARN}` });
    for (const key of [
      'NoNewPrivileges',
      'ProtectSystem',
      'PrivateTmp',
      'CapabilityBoundingSet',
      'Restart',
    ]) {
      t.equal(one(api, key), one(daemon, key), `same ${key} as the daemon`);
    }
    t.equal(
      one(api, 'IPAddressDeny'),
      '169.254.169.254 fd00:ec2::254',
      'the API cannot ask IMDS itself',
    );
    const env = environment(api);
    const daemonEnv = environment(daemon);
    t.equal(
      env.get('AWS_CONTAINER_CREDENTIALS_FULL_URI'),
      `http://${daemonEnv.get('IMDS_CACHE_LISTEN')}/v1/credentials`,
    );
    t.equal(env.get('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'), client.tokenFile, 'client api');
    t.match(
      client.tokenFile,
      new RegExp(`^${daemonEnv.get('IMDS_CACHE_TOKEN_FILE')?.replace(/token$/, '')}clients/`),
      "in the daemon's runtime directory",
    );
    t.equal(env.get('HOST'), '0.0.0.0', 'reachable by the load balancer on the private address');
    const targetPort = parseTemplate(read('ec2.yaml')).Resources.TargetGroup.Properties.Port;
    t.equal(env.get('PORT'), String(targetPort), 'the port the target group checks');
    t.same(api.get('Unit.After'), ['network-online.target imds-guard.service imds-cache.service']);
    t.same(api.get('Unit.Requires'), ['imds-guard.service'], 'never without the IMDS guard');
    t.same(daemon.get('Unit.Requires'), ['imds-guard.service'], 'nor the daemon');
    t.same(daemon.get('Unit.After'), ['network-online.target imds-guard.service']);
    t.same(guard.get('Unit.Before'), ['network-pre.target shutdown.target'], 'before the network');
    t.same(guard.get('Unit.DefaultDependencies'), ['no']);
    t.equal(one(guard, 'ExecStop'), undefined, 'stopping it leaves the rule in place');
    t.equal(one(api, 'ExecStart'), '/usr/bin/node-22 /opt/empdir/current/api/dist/main.js');
    for (const text of [
      read('systemd/employee-directory.service'),
      read('user-data.sh'),
      read('ec2.yaml'),
    ]) {
      t.notMatch(
        text,
        /AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)/,
        'no static credentials anywhere',
      );
    }
  },
);

t.test("every variable the deployment sets is a key of that package's config.ts", async (t) => {
  const configOf = (pkg: string) =>
    readFileSync(join(ROOT, 'packages', pkg, 'src', 'config.ts'), 'utf8');
  // Read by Node and the AWS SDK themselves, not by our config.
  const runtime = new Set(['NODE_ENV', 'NODE_OPTIONS', 'AWS_EC2_METADATA_DISABLED']);
  const userData = read('user-data.sh');
  const envFile = userData.slice(userData.indexOf('<<CONFIG'), userData.indexOf('\nCONFIG\n'));
  const apiKeys = [
    ...environment(api).keys(),
    ...[...envFile.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1] ?? ''),
    ...[...userData.matchAll(/printf '([A-Z0-9_]+)=/g)].map((m) => m[1] ?? ''),
    ...Object.keys(
      parseTemplate(read('serverless.yaml')).Resources.ApiFunction.Properties.Environment.Variables,
    ),
  ];
  t.ok(
    apiKeys.includes('SESSION_SECRET') && apiKeys.includes('TABLE_NAME'),
    'found the env file and the secret',
  );
  for (const key of new Set(apiKeys.filter((k) => !runtime.has(k)))) {
    t.match(configOf('api'), new RegExp(`\\b${key}:`), `api config reads ${key}`);
  }
  for (const key of [...environment(daemon).keys()].filter((k) => !runtime.has(k))) {
    t.match(configOf('imds-cache'), new RegExp(`\\b${key}:`), `imds-cache config reads ${key}`);
  }
});

const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
t.test(
  'systemd accepts the units and rates the two services well hardened',
  { skip: analyze ? false : 'systemd-analyze is not installed' },
  async (t) => {
    // A throwaway root with the binaries the units name, so `verify` checks our files, not this host.
    const root = mkdtempSync(join(tmpdir(), 'empdir-units-'));
    for (const bin of ['usr/bin/node-22', 'bin/kill', 'usr/sbin/nft']) {
      mkdirSync(join(root, bin, '..'), { recursive: true });
      writeFileSync(join(root, bin), '#!/bin/sh\n', { mode: 0o755 });
    }
    mkdirSync(join(root, 'etc/empdir'), { recursive: true });
    for (const file of ['employee-directory.env', 'session.env'])
      writeFileSync(join(root, 'etc/empdir', file), '');
    cpSync('/lib/systemd/system', join(root, 'lib/systemd/system'), { recursive: true });
    for (const unit of UNITS)
      cpSync(join(DEPLOY_DIR, 'systemd', unit), join(root, 'etc/systemd/system', unit));
    const verify = spawnSync('systemd-analyze', ['verify', `--root=${root}`, ...UNITS], {
      encoding: 'utf8',
    });
    t.equal(verify.status, 0, `systemd-analyze verify: ${verify.stderr}`);
    t.equal(verify.stderr.trim(), '', 'no complaints');
    // imds-guard.service is root loading a firewall rule (as nftables.service is): not sandboxable.
    for (const unit of UNITS.filter((u) => u !== 'imds-guard.service')) {
      const security = spawnSync(
        'systemd-analyze',
        ['security', '--offline=yes', `--root=${root}`, unit],
        {
          encoding: 'utf8',
        },
      );
      const exposure = Number(
        /Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1],
      );
      t.ok(exposure <= 2, `${unit}: exposure ${exposure} of 10 (2 or less is "OK")`);
    }
  },
);
