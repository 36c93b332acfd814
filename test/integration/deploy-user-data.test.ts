// Runs the real deploy/user-data.sh under bash with the system-changing commands (dnf, aws,
// useradd, systemctl, ...) replaced by logging stand-ins and its paths pointed at a scratch
// directory: what it installs, writes and starts, in which order, and that it stops on a bad
// artefact or a missing setting before touching anything.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SIGN_IN_SETTINGS } from '../../deploy/lib/sign-in.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';
import { loadConfig } from '../../packages/api/dist/config.js';
import { parseClientsFile } from '../../packages/imds-cache/dist/clients-file.js';

const UNITS = ['imds-guard.service', 'imds-cache.service', 'employee-directory.service'];
// The uid the `id` stand-in gives a user once useradd made it.
const DAEMON_UID = '990';
// What the launch template exports from the stack's Cognito pool (see deploy/lib/sign-in.mjs).
const SIGN_IN = {
  OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI',
  OIDC_CLIENT_ID: '1example23456789abcdefghij',
  OIDC_AUDIENCE: '1example23456789abcdefghij,2machine3456789abcdefghij',
  OIDC_REDIRECT_URI: 'https://directory.example.com/auth/callback',
  OIDC_POST_LOGOUT_REDIRECT_URI: 'https://directory.example.com/auth/signed-out',
  OIDC_END_SESSION_URL:
    'https://empdir-ec2-dev-123456789012.auth.eu-west-1.amazoncognito.com/logout',
};
const STAND_INS: Record<string, string> = {
  dnf: '',
  systemctl: '',
  useradd: '',
  groupadd: '',
  chown: '',
  getent: 'exit 2',
  id: `grep -q "^useradd .* $2$" "$CALL_LOG" && echo ${DAEMON_UID}`,
  nft: '',
  'node-22': 'echo v22.0.0',
  // Readiness answers at once unless FAKE_NOT_READY is set; no real sleep either way.
  curl: '[ -z "$FAKE_NOT_READY" ]',
  sleep: '',
  'cfn-signal': '',
  aws: [
    'case "$1 $2" in',
    `  "s3 cp") cp "$FAKE_ARTIFACT" "\${@: -1}" ;;`,
    '  "secretsmanager get-secret-value") echo "$FAKE_SECRET" ;;',
    'esac',
  ].join('\n'),
  // The empdir-api group does not exist here: keep the mode, log the owner.
  install: [
    'args=()',
    'while [ $# -gt 0 ]; do case "$1" in -o|-g) shift 2 ;; *) args+=("$1"); shift ;; esac; done',
    `exec /usr/bin/install "\${args[@]}"`,
  ].join('\n'),
};

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'empdir-user-data-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(STAND_INS)) {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >>"$CALL_LOG"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  // A small release with the real units, laid out as build-artifact.mjs lays it out.
  const release = join(dir, 'build', 'empdir-test');
  for (const path of ['api/dist', 'imds-cache/dist', 'systemd'])
    mkdirSync(join(release, path), { recursive: true });
  for (const pkg of ['api', 'imds-cache']) writeFileSync(join(release, pkg, 'dist', 'main.js'), '');
  for (const unit of UNITS)
    cpSync(join(DEPLOY_DIR, 'systemd', unit), join(release, 'systemd', unit));
  const artifact = join(dir, 'empdir-test.tar.gz');
  spawnSync('tar', ['-czf', artifact, '-C', join(dir, 'build'), 'empdir-test']);
  const sha256 = createHash('sha256').update(readFileSync(artifact)).digest('hex');
  const secret = randomBytes(24).toString('hex');
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    CALL_LOG: join(dir, 'calls.log'),
    FAKE_ARTIFACT: artifact,
    FAKE_SECRET: secret,
    INSTALL_ROOT: join(dir, 'opt'),
    CONFIG_DIR: join(dir, 'etc-empdir'),
    UNIT_DIR: join(dir, 'units'),
    NODE_BIN: join(bin, 'node-22'),
    STAGE: 'dev',
    AWS_REGION: 'eu-west-1',
    ARTIFACT_BUCKET: 'empdir-artifacts',
    ARTIFACT_KEY: 'releases/empdir-test.tar.gz',
    ARTIFACT_SHA256: sha256,
    PHOTOS_BUCKET: 'empdir-ec2-dev-photos-123456789012-eu-west-1',
    TABLE_NAME: 'empdir-ec2-dev-employees',
    SESSION_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SessionSecret-AbCdEf',
    DOMAIN_NAME: 'directory.example.com',
    ...SIGN_IN,
    CFN_STACK: 'empdir-ec2-dev',
    CFN_SIGNAL: join(bin, 'cfn-signal'),
    API_ROLE_ARN: 'arn:aws:iam::123456789012:role/empdir-ec2-dev-api-eu-west-1',
    VPC_CIDR: '10.40.0.0/16',
    // The stack's public host (DomainName, else the load balancer's name): see deploy/lib/user-data.mjs.
    TRUSTED_HOSTS: 'directory.example.com',
    IMDS_CACHE_CONFIG_DIR: join(dir, 'etc-imds-cache'),
    NFT_DIR: join(dir, 'etc-nftables'),
  };
  mkdirSync(env.UNIT_DIR);
  const run = (overrides: Record<string, string | undefined> = {}) => {
    const result = spawnSync('bash', [join(DEPLOY_DIR, 'user-data.sh')], {
      env: Object.fromEntries(
        Object.entries({ ...env, ...overrides }).filter(([, v]) => v !== undefined),
      ),
      encoding: 'utf8',
    });
    const calls = existsSync(env.CALL_LOG)
      ? readFileSync(env.CALL_LOG, 'utf8').trim().split('\n')
      : [];
    return { ...result, calls };
  };
  return { env, secret, run };
}

t.test(
  'a good boot installs Node 22, the release, the settings and starts both units',
  async (t) => {
    const { env, secret, run } = sandbox();
    const result = run();
    t.equal(result.status, 0, result.stderr);
    const calls = result.calls.filter((c) => !c.startsWith('install ') && !c.startsWith('chown '));
    t.same(calls.slice(0, 6), [
      'dnf install -y --setopt=install_weak_deps=False nodejs22 aws-cfn-bootstrap nftables',
      'node-22 --version',
      'getent group imds-cache',
      'groupadd --system imds-cache',
      'id -u imds-cache',
      'useradd --system --gid imds-cache --home-dir /nonexistent --no-create-home --shell /sbin/nologin imds-cache',
    ]);
    const fetch =
      /^aws s3 cp --only-show-errors --region eu-west-1 s3:\/\/empdir-artifacts\/releases\/empdir-test\.tar\.gz \//;
    t.ok(
      calls.some((c) => fetch.test(c)),
      'the artefact from its bucket, in the stack region',
    );
    t.ok(
      calls.includes(
        `aws secretsmanager get-secret-value --region eu-west-1 --secret-id ${env.SESSION_SECRET_ARN} --query SecretString --output text`,
      ),
    );
    t.same(
      calls.slice(-6),
      [
        'systemctl daemon-reload',
        'systemctl enable --now imds-guard.service',
        'systemctl enable --now imds-cache.service',
        'systemctl enable --now employee-directory.service',
        'curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:8080/readyz',
        'cfn-signal --exit-code 0 --stack empdir-ec2-dev --resource AutoScalingGroup --region eu-west-1',
      ],
      'the guard, the daemon, then the API; CloudFormation hears once /readyz answers',
    );
    t.ok(
      result.calls.includes(
        `chown -R root:root ${join(env.INSTALL_ROOT, 'releases', 'empdir-test')}`,
      ),
      'root owns the code',
    );

    t.equal(
      readlinkSync(join(env.INSTALL_ROOT, 'current')),
      join(env.INSTALL_ROOT, 'releases', 'empdir-test'),
    );
    t.ok(
      existsSync(join(env.INSTALL_ROOT, 'current', 'api', 'dist', 'main.js')),
      'unpacked one level down',
    );
    t.equal(
      readFileSync(join(env.CONFIG_DIR, 'employee-directory.env'), 'utf8'),
      [
        `PHOTOS_BUCKET=${env.PHOTOS_BUCKET}`,
        `TABLE_NAME=${env.TABLE_NAME}`,
        'AWS_REGION=eu-west-1',
        'TRUSTED_ORIGINS=https://directory.example.com',
        'TRUSTED_HOSTS=directory.example.com',
        ...Object.entries(SIGN_IN).map(([name, value]) => `${name}=${value}`),
        '',
      ].join('\n'),
    );
    const session = join(env.CONFIG_DIR, 'session.env');
    t.equal(readFileSync(session, 'utf8'), `SESSION_SECRET=${secret}\n`);
    t.equal(statSync(session).mode & 0o777, 0o640, 'the secret is not world-readable');
    t.ok(
      result.calls.includes(`install -m 0640 -o root -g empdir-api /dev/null ${session}`),
      'owned by root, group empdir-api',
    );
    for (const unit of UNITS) {
      t.equal(
        readFileSync(join(env.UNIT_DIR, unit), 'utf8'),
        readFileSync(join(DEPLOY_DIR, 'systemd', unit), 'utf8'),
      );
    }
    t.notMatch(result.stdout + result.stderr, secret, 'the secret is never printed');
  },
);

t.test('no domain: no trusted origin, the load balancer name is the trusted host', async (t) => {
  const { env, run } = sandbox();
  const lb = 'empdir-ec2-dev-123456789.eu-west-1.elb.amazonaws.com';
  t.equal(run({ DOMAIN_NAME: '', TRUSTED_HOSTS: lb }).status, 0);
  const written = readFileSync(join(env.CONFIG_DIR, 'employee-directory.env'), 'utf8');
  t.match(written, /\nTRUSTED_ORIGINS=\n/);
  t.match(written, `\nTRUSTED_HOSTS=${lb}\n`);
  // The API accepts the file as written and trusts that one host.
  const settings = Object.fromEntries(
    written
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  t.same(loadConfig(settings).trustedHosts, [lb]);
});

t.test('an artefact with another digest stops the boot before anything starts', async (t) => {
  const { env, run } = sandbox();
  const result = run({ ARTIFACT_SHA256: '0'.repeat(64) });
  t.not(result.status, 0);
  t.notOk(existsSync(join(env.INSTALL_ROOT, 'current')), 'nothing installed');
  t.notOk(
    result.calls.some((c) => c.startsWith('systemctl')),
    'nothing started',
  );
  t.equal(
    result.calls.at(-1),
    'cfn-signal --exit-code 1 --stack empdir-ec2-dev --resource AutoScalingGroup --region eu-west-1',
    'and CloudFormation hears of the failure',
  );
});

t.test('an instance that never gets ready fails its rollout', async (t) => {
  const { run } = sandbox();
  const result = run({ FAKE_NOT_READY: '1', READY_ATTEMPTS: '3', READY_INTERVAL_SECONDS: '7' });
  t.not(result.status, 0);
  t.equal(result.calls.filter((c) => c.startsWith('curl ')).length, 3, 'three attempts');
  t.equal(result.calls.filter((c) => c === 'sleep 7').length, 3);
  t.notOk(
    result.calls.some((c) => c.includes('--exit-code 0')),
    'never signals success',
  );
  t.match(result.calls.at(-1), /^cfn-signal --exit-code 1 /);
});

t.test('a missing setting stops the script before it changes the machine', async (t) => {
  const { run } = sandbox();
  const result = run({ TABLE_NAME: undefined });
  t.not(result.status, 0);
  t.match(result.stderr, /TABLE_NAME/);
  t.same(result.calls, [], 'not even dnf ran');
  const unpinned = run({ ARTIFACT_SHA256: undefined });
  t.not(unpinned.status, 0, 'the artefact digest is required');
  t.match(unpinned.stderr, /ARTIFACT_SHA256/);
  t.same(unpinned.calls, []);
});

t.test('every sign-in setting is required: without one the script changes nothing', async (t) => {
  t.same(
    Object.keys(SIGN_IN).sort(),
    Object.keys(SIGN_IN_SETTINGS).sort(),
    'the stack exports these',
  );
  for (const name of Object.keys(SIGN_IN)) {
    const { run } = sandbox();
    const result = run({ [name]: undefined });
    t.not(result.status, 0, `${name} missing`);
    t.match(result.stderr, name);
    t.same(result.calls, [], 'not even dnf ran');
  }
});

t.test(
  'only root and the daemon reach IMDS: the nftables rule is loaded before the release is fetched',
  async (t) => {
    const { env, run } = sandbox();
    const result = run();
    t.equal(result.status, 0, result.stderr);
    const rules = join(env.NFT_DIR, 'imds-guard.nft');
    const load = result.calls.indexOf(`nft -f ${rules}`);
    t.ok(load > 0, 'loaded with nft -f');
    const fetch = result.calls.findIndex((c) => c.startsWith('aws s3 cp'));
    t.ok(load < fetch, 'before the release (and anything in it) is on the machine');
    t.ok(
      load > result.calls.findIndex((c) => c.startsWith('useradd ') && c.endsWith(' imds-cache')),
      "after the daemon's user exists",
    );
    const unit = readFileSync(join(DEPLOY_DIR, 'systemd', 'imds-guard.service'), 'utf8');
    t.match(
      unit,
      `\nExecStart=/usr/sbin/nft -f /etc/nftables/imds-guard.nft\n`,
      'reloaded on boot',
    );
    t.match(unit, /\nBefore=network-pre\.target /, 'before the network on every boot');
    t.match(unit, /\nWantedBy=sysinit\.target\n/);
    const text = readFileSync(rules, 'utf8');
    // Each address: the two uids accepted, then everyone else rejected, in that order.
    const lines = text.split('\n').map((l) => l.trim());
    for (const [family, address] of [
      ['ip', '169.254.169.254'],
      ['ip6', 'fd00:ec2::254'],
    ] as const) {
      const accept = lines.indexOf(
        `${family} daddr ${address} meta skuid { 0, ${DAEMON_UID} } accept`,
      );
      const reject = lines.indexOf(`${family} daddr ${address} counter reject`);
      t.ok(accept > 0, `${address}: root and imds-cache (uid ${DAEMON_UID}) accepted`);
      t.ok(reject > accept, `${address}: everyone else rejected after that`);
    }
    t.match(text, /type filter hook output priority filter; policy accept;/, 'local output only');
    t.match(text, /^table inet imds_guard\ndelete table inet imds_guard\n/m, 'reloads replace it');
    t.equal(statSync(rules).mode & 0o777, 0o644);
  },
);

t.test('the daemon gets a clients file it accepts: client "api" with the stack role', async (t) => {
  const { env, run } = sandbox();
  t.equal(run().status, 0);
  const text = readFileSync(join(env.IMDS_CACHE_CONFIG_DIR, 'clients.json'), 'utf8');
  const [api, ...others] = parseClientsFile(text, {
    reservedTokenFiles: ['/run/imds-cache/token'],
  });
  t.same(others, [], 'one client');
  t.match(api, {
    name: 'api',
    tokenFile: '/run/imds-cache/clients/api.token',
    group: 'empdir-api',
    roleArn: env.API_ROLE_ARN,
    durationSeconds: 3600,
  });
  const units = (unit: string) => readFileSync(join(env.UNIT_DIR, unit), 'utf8');
  t.match(
    units('imds-cache.service'),
    '\nEnvironment=IMDS_CACHE_CLIENTS_FILE=/etc/imds-cache/clients.json\n',
  );
  t.match(units('imds-cache.service'), '\nEnvironment=IMDS_CACHE_SERVE_INSTANCE_ROLE=off\n');
  t.match(
    units('employee-directory.service'),
    `\nEnvironment=AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${api?.tokenFile}\n`,
    "the API reads its own client's token",
  );
  t.equal(
    readFileSync(join(env.UNIT_DIR, 'imds-cache.service.d', 'sts-endpoint.conf'), 'utf8'),
    '[Service]\nIPAddressAllow=10.40.0.0/16\n',
    'the daemon may reach the STS endpoint in the VPC',
  );
});

t.test(
  'the client role, the VPC range and the public host are required: without one nothing runs',
  async (t) => {
    for (const name of ['API_ROLE_ARN', 'VPC_CIDR', 'TRUSTED_HOSTS']) {
      const { run } = sandbox();
      const result = run({ [name]: undefined });
      t.not(result.status, 0, `${name} missing`);
      t.match(result.stderr, name);
      t.same(result.calls, [], 'not even dnf ran');
    }
  },
);
