// The two templates as the sign-in tests read them: parsed, resolved for one set of parameters,
// and the settings each hands the API (Lambda environment, or the user data's exports).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createResolver } from '../../deploy/lib/cfn-resolve.mjs';
import { parseTemplate } from '../../deploy/lib/cfn-yaml.mjs';
import { TEST_PARAMETERS } from '../../deploy/lib/template-policies.mjs';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

export const FILES = ['ec2.yaml', 'serverless.yaml'] as const;
export const text = (file: string) => readFileSync(join(DEPLOY_DIR, file), 'utf8');
export const template = (file: string) => parseTemplate(text(file));
export const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e';
export const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/UserPool-physical-id';

export function stack(file: string, parameters: Record<string, string> = {}) {
  const parsed = template(file);
  const resolver = createResolver(parsed, {
    parameters: { ...TEST_PARAMETERS, Stage: 'dev', ...parameters },
  });
  const props = (id: string) => resolver.resolve(parsed.Resources[id].Properties);
  return { parsed, resolver, props };
}

/** The API's settings as each stack hands them over: Lambda environment or the user data's exports. */
export function appSettings(file: string, parameters: Record<string, string> = {}) {
  const { props } = stack(file, parameters);
  if (file === 'serverless.yaml') return props('ApiFunction').Environment.Variables;
  const script = Buffer.from(props('LaunchTemplate').LaunchTemplateData.UserData, 'base64');
  const exported = [...script.toString('utf8').matchAll(/^export ([A-Z0-9_]+)='([^']*)'$/gm)];
  return Object.fromEntries(exported.map((m) => [m[1], m[2]]));
}
