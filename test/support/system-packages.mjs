// The suite's programs from Debian's packages: Java runs DynamoDB Local (the integration backend),
// Chromium drives the end-to-end browser test, and the AWS CLI v2, boto3 and the Go SDK v2 are the
// credential clients nobody here wrote. Installed when missing and we are root; otherwise the
// tests that need them say so and fall back (dynalite), skip (browser), or fail under CI=true.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEBIAN_AWS_CLI, DEBIAN_GOPATH, DEBIAN_PYTHON } from './debian-clients.js';

const has = (command) =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

const wanted = [
  { present: () => has('java'), debianPackage: 'default-jre-headless', usedFor: 'DynamoDB Local' },
  {
    present: () => has('chromium'),
    debianPackage: 'chromium',
    usedFor: 'the end-to-end browser test',
  },
  {
    present: () => existsSync(DEBIAN_AWS_CLI),
    debianPackage: 'awscli',
    usedFor: 'the AWS CLI v2 client test',
  },
  {
    present: () =>
      spawnSync(DEBIAN_PYTHON, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0,
    debianPackage: 'python3-boto3',
    usedFor: 'the boto3 client test',
  },
  {
    // The client test runs with PATH=/usr/bin:/bin: a Go toolchain elsewhere does not count.
    present: () => existsSync('/usr/bin/go'),
    debianPackage: 'golang-go',
    usedFor: 'the Go SDK v2 client test',
  },
  {
    present: () => existsSync(`${DEBIAN_GOPATH}/src/github.com/aws/aws-sdk-go-v2/config`),
    debianPackage: 'golang-github-aws-aws-sdk-go-v2-dev',
    usedFor: 'the Go SDK v2 client test',
  },
];

export function ensureSystemPackages() {
  const missing = wanted.filter((w) => !w.present());
  if (missing.length === 0) return;
  const names = missing.map((m) => m.debianPackage);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get') || process.env.EMPDIR_SKIP_SYSTEM_PACKAGES === '1') {
    for (const m of missing)
      console.log(`note: Debian's ${m.debianPackage} is missing, so ${m.usedFor} cannot run here.`);
    return;
  }
  console.log(`Installing Debian packages: ${names.join(' ')} …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
          stdio: ['ignore', 'ignore', 'inherit'],
          env,
        })
      : update;
  if (install.status !== 0)
    console.log(
      `warning: could not install ${names.join(' ')}; the tests that need them will say so.`,
    );
}
