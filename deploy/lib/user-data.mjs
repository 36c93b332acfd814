// Embeds deploy/user-data.sh in the launch template. The stack's values are exported ahead of the
// script by `!Sub`; the script itself goes in verbatim, so no `${...}` in it is touched by CloudFormation.
import { SIGN_IN_SETTINGS, signInVariables } from './sign-in.mjs';

/** The variables user-data.sh requires, and the parameter or resource whose `!Sub` value each gets. */
export const USER_DATA_EXPORTS = {
  STAGE: 'Stage',
  AWS_REGION: 'AWS::Region',
  ARTIFACT_BUCKET: 'ArtifactBucket',
  ARTIFACT_KEY: 'ArtifactKey',
  ARTIFACT_SHA256: 'ArtifactSha256',
  PHOTOS_BUCKET: 'PhotosBucket',
  TABLE_NAME: 'EmployeesTable',
  SESSION_SECRET_ARN: 'SessionSecret',
  DOMAIN_NAME: 'DomainName',
  CFN_STACK: 'AWS::StackName',
  // The imds-cache daemon's client "api" (issue 11), and where its STS endpoint lives.
  API_ROLE_ARN: 'ApiRole.Arn',
  VPC_CIDR: 'VpcCidr',
  // The API refuses any other Host (DNS rebinding, issue 13): PublicHost is a `!Sub` variable.
  TRUSTED_HOSTS: 'PublicHost',
};

/**
 * @param {string} script the text of deploy/user-data.sh
 * @param {string} host a YAML expression for the stack's public host name
 */
export function renderUserData(script, host) {
  const [shebang, ...body] = script.replace(/\n+$/, '').split('\n');
  if (shebang !== '#!/bin/bash') throw new Error('user-data.sh must start with #!/bin/bash');
  const exports = [
    ...Object.entries(USER_DATA_EXPORTS).map(([name, source]) => `${name}='\${${source}}'`),
    // The sign-in settings under the API's own names (`!Sub` texts, see sign-in.mjs).
    ...Object.entries(SIGN_IN_SETTINGS).map(([name, text]) => `${name}='${text}'`),
  ];
  const indent = (/** @type {string[]} */ lines, /** @type {string} */ pad) =>
    lines.map((line) => (line === '' ? '' : `${pad}${line}`));
  return [
    'UserData: !Base64',
    '  Fn::Join:',
    "    - ''",
    '    - - !Sub',
    '        - |',
    '          #!/bin/bash',
    "          # Each parameter's AllowedPattern keeps quotes out of these values.",
    ...indent(
      exports.map((line) => `export ${line}`),
      '          ',
    ),
    ...indent(
      signInVariables(host).map((line, i) => `${i === 0 ? '- ' : '  '}${line}`),
      '        ',
    ),
    '      - |',
    ...indent(body, '        '),
  ].join('\n');
}
