// Credential clients nobody here wrote, as Debian 12 packages them: the AWS CLI v2, boto3 and the
// Go SDK v2 (a tiny client built from test/support/go-client in GOPATH mode, no module download,
// cached by source and toolchain hash). Each signs one STS call to a local stand-in.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ code: number, stdout: string, stderr: string }} RunResult
 * @typedef {{ name: string, debianPackages: string, version?: string,
 *   missing?: string, broken?: string, run?: (args: { env: Record<string, string>,
 *   stsUrl: string, imds: boolean }) => Promise<RunResult> }} DebianClient
 *   `missing`: not installed here; `broken`: installed but unusable (always a test failure).
 */

/** Debian's own Python, whatever a version manager puts first on PATH. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
/** Debian's AWS CLI v2 (a pip or pyenv `aws` earlier on PATH is another program). */
export const DEBIAN_AWS_CLI = '/usr/bin/aws';
/** Where golang-*-dev packages put Go sources, for GOPATH builds with no module download. */
export const DEBIAN_GOPATH = '/usr/share/gocode';
const GO_SDK = `${DEBIAN_GOPATH}/src/github.com/aws/aws-sdk-go-v2`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GO_SOURCE = join(root, 'test', 'support', 'go-client', 'main.go');
const CACHE = join(root, 'node_modules', '.cache', 'empdir-go-client');

const BOTO3_SCRIPT = `
import json, sys, boto3
session = boto3.session.Session(region_name="us-east-1")
creds = session.get_credentials().get_frozen_credentials()
who = session.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()
print(json.dumps({"accessKeyId": creds.access_key, "Account": who["Account"]}))
`;

/**
 * Runs a program; resolves with its exit code and output whatever happens (never rejects).
 * @param {string} file
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {number} [timeoutMs]
 * @returns {Promise<RunResult>}
 */
export function run(file, args, env, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env, timeout: timeoutMs, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr || error?.message || '') });
      },
    );
  });
}

/**
 * A clean environment for a client: Debian's PATH, a fresh HOME, no profile or key files.
 * @param {string} home
 * @param {Record<string, string>} vars
 * @returns {Record<string, string>}
 */
export function clientEnv(home, vars) {
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    ...vars,
  };
}

/** @param {string} text */
const firstVersion = (text) => /(\d+\.\d+\.\d+)/.exec(text)?.[1];

/** @returns {Promise<DebianClient>} */
async function awsCli() {
  const base = { name: 'AWS CLI v2', debianPackages: 'awscli' };
  if (!existsSync(DEBIAN_AWS_CLI)) return { ...base, missing: `${DEBIAN_AWS_CLI} is missing` };
  const probe = await run(DEBIAN_AWS_CLI, ['--version'], clientEnv(tmpdir(), {}));
  const version = /aws-cli\/(\S+)/.exec(probe.stdout + probe.stderr)?.[1];
  if (probe.code !== 0 || !version) return { ...base, broken: `aws --version: ${probe.stderr}` };
  return {
    ...base,
    version,
    run: ({ env, stsUrl }) =>
      run(
        DEBIAN_AWS_CLI,
        ['sts', 'get-caller-identity', '--endpoint-url', stsUrl, '--region', 'us-east-1'],
        env,
      ),
  };
}

/** @returns {Promise<DebianClient>} */
async function boto3() {
  const base = { name: 'boto3 / botocore', debianPackages: 'python3-boto3' };
  const probe = await run(
    DEBIAN_PYTHON,
    ['-I', '-c', 'import boto3, botocore; print(boto3.__version__, botocore.__version__)'],
    clientEnv(tmpdir(), {}),
  );
  if (probe.code !== 0) return { ...base, missing: `${DEBIAN_PYTHON} cannot import boto3` };
  return {
    ...base,
    version: probe.stdout.trim().split(' ').join(' / '),
    run: ({ env, stsUrl }) => run(DEBIAN_PYTHON, ['-I', '-c', BOTO3_SCRIPT, stsUrl], env),
  };
}

/** @returns {Promise<DebianClient>} */
async function goSdk() {
  const base = {
    name: 'Go SDK v2',
    debianPackages: 'golang-go, golang-github-aws-aws-sdk-go-v2-dev',
  };
  const go = await run('go', ['version'], clientEnv(tmpdir(), {}));
  if (go.code !== 0) return { ...base, missing: '`go` is missing' };
  if (!existsSync(`${GO_SDK}/config`)) return { ...base, missing: `${GO_SDK} is missing` };
  const metadata = await readFile(`${GO_SDK}/aws/go_module_metadata.go`, 'utf8');
  const version = firstVersion(metadata) ?? 'unknown';
  const built = await buildGoClient(go.stdout.trim(), version);
  if ('error' in built) return { ...base, version, broken: built.error };
  return {
    ...base,
    version,
    run: ({ env, stsUrl, imds }) => run(built.binary, imds ? ['-imds', stsUrl] : [stsUrl], env),
  };
}

/**
 * Builds the Go client once per source, toolchain and SDK version; later runs reuse the binary.
 * @param {string} goVersion
 * @param {string} sdkVersion
 * @returns {Promise<{ binary: string } | { error: string }>}
 */
async function buildGoClient(goVersion, sdkVersion) {
  const source = await readFile(GO_SOURCE);
  const key = createHash('sha256')
    .update(source)
    .update(goVersion)
    .update(sdkVersion)
    .digest('hex');
  const binary = join(CACHE, key.slice(0, 16), 'go-client');
  if (existsSync(binary)) return { binary };
  const work = await mkdtemp(join(tmpdir(), 'empdir-go-client-'));
  try {
    await copyFile(GO_SOURCE, join(work, 'main.go'));
    const env = clientEnv(work, {
      GO111MODULE: 'off',
      GOPATH: DEBIAN_GOPATH,
      GOCACHE: join(CACHE, 'go-build'),
      GOTOOLCHAIN: 'local',
      GOFLAGS: '',
      CGO_ENABLED: '0',
    });
    const out = join(work, 'go-client');
    const build = await run('go', ['build', '-o', out, join(work, 'main.go')], env, 240_000);
    if (build.code !== 0) return { error: `go build failed: ${build.stderr.slice(0, 2_000)}` };
    await mkdir(dirname(binary), { recursive: true });
    await rename(out, binary).catch(() => copyFile(out, binary));
    return { binary };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The three clients, each with its version, or why it cannot run here. Detection (and the Go
 * build) run concurrently.
 * @returns {Promise<DebianClient[]>}
 */
export function debianClients() {
  return Promise.all([awsCli(), boto3(), goSdk()]);
}
