// The suite's two programs from Debian's packages: Java runs DynamoDB Local (the integration backend)
// and Chromium drives the end-to-end browser test. Installed when missing and we are root; otherwise
// the tests that need them say so and fall back (dynalite) or skip (browser).
import { spawnSync } from 'node:child_process';

const wanted = [
  { command: 'java', debianPackage: 'default-jre-headless', usedFor: 'DynamoDB Local' },
  { command: 'chromium', debianPackage: 'chromium', usedFor: 'the end-to-end browser test' },
];

const has = (command) =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

export function ensureSystemPackages() {
  const missing = wanted.filter((w) => !has(w.command));
  if (missing.length === 0) return;
  const names = missing.map((m) => m.debianPackage);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get') || process.env.EMPDIR_SKIP_SYSTEM_PACKAGES === '1') {
    for (const m of missing)
      console.log(
        `note: \`${m.command}\` is missing, so ${m.usedFor} cannot run here (Debian: ${m.debianPackage}).`,
      );
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
