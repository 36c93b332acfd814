// Which generated fragments each template carries, and from what.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderApiStatements } from './api-policy.mjs';
import { renderDataResources } from './data-resources.mjs';
import { renderFragments } from './fragments.mjs';
import { renderSignInEnvironment, renderSignInResources } from './sign-in.mjs';
import { renderUserData } from './user-data.mjs';

/** The host name browsers reach each stack at (sign-in redirects only ever go to https://). */
export const PUBLIC_HOST = {
  ec2: '!If [HasDomainName, !Ref DomainName, !GetAtt LoadBalancer.DNSName]',
  fn: `!Sub "\${HttpApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}"`,
};

export const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = join(DEPLOY_DIR, '..');

/**
 * Formats YAML as the lint gate wants it, so generating and linting never disagree.
 * @param {string} path where the text will live (picks the language and the config)
 * @param {string} text
 */
export function formatYaml(path, text) {
  const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
  const result = spawnSync(biome, ['format', `--stdin-file-path=${path}`], {
    cwd: REPO_ROOT,
    input: text,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`biome format ${path} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * The fragments of every template, keyed by file name under deploy/.
 * @returns {Promise<Record<string, Record<string, string>>>}
 */
export async function templateFragments() {
  const userData = await readFile(join(DEPLOY_DIR, 'user-data.sh'), 'utf8');
  return {
    'ec2.yaml': {
      'data-resources': renderDataResources('ec2'),
      'api-statements': renderApiStatements(),
      'user-data': renderUserData(userData, PUBLIC_HOST.ec2),
      'sign-in': renderSignInResources('ec2', PUBLIC_HOST.ec2),
    },
    'serverless.yaml': {
      'data-resources': renderDataResources('fn'),
      'api-statements': renderApiStatements(),
      'sign-in': renderSignInResources('fn', PUBLIC_HOST.fn),
      'sign-in-environment': renderSignInEnvironment(PUBLIC_HOST.fn),
    },
  };
}

/**
 * Each template as committed and as the generator would write it.
 * @returns {Promise<{ file: string, path: string, committed: string, generated: string }[]>}
 */
export async function renderTemplates() {
  const all = await templateFragments();
  return Promise.all(
    Object.entries(all).map(async ([file, fragments]) => {
      const path = join(DEPLOY_DIR, file);
      const committed = await readFile(path, 'utf8');
      const generated = formatYaml(path, renderFragments(committed, fragments));
      return { file, path, committed, generated };
    }),
  );
}
