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

const UNITS = ['imds-cache.service', 'employee-directory.service'];
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
  id: 'exit 1',
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
      'dnf install -y --setopt=install_weak_deps=False nodejs22 aws-cfn-bootstrap',
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
      calls.slice(-5),
      [
        'systemctl daemon-reload',
        'systemctl enable --now imds-cache.service',
        'systemctl enable --now employee-directory.service',
        'curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:8080/readyz',
        'cfn-signal --exit-code 0 --stack empdir-ec2-dev --resource AutoScalingGroup --region eu-west-1',
      ],
      'the daemon first, then the API; CloudFormation hears once /readyz answers',
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

t.test('no domain: no trusted origin', async (t) => {
  const { env, run } = sandbox();
  t.equal(run({ DOMAIN_NAME: '' }).status, 0);
  t.match(
    readFileSync(join(env.CONFIG_DIR, 'employee-directory.env'), 'utf8'),
    /\nTRUSTED_ORIGINS=\n/,
  );
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
