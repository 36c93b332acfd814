// Embeds deploy/user-data.sh in the launch template. The stack's values are exported ahead of the
// script by `!Sub`; the script itself goes in verbatim, so no `${...}` in it is touched by CloudFormation.

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
};

/**
 * @param {string} script the text of deploy/user-data.sh
 */
export function renderUserData(script) {
  const [shebang, ...body] = script.replace(/\n+$/, '').split('\n');
  if (shebang !== '#!/bin/bash') throw new Error('user-data.sh must start with #!/bin/bash');
  const exports = Object.entries(USER_DATA_EXPORTS).map(
    ([name, source]) => `${name}='\${${source}}'`,
  );
  const indent = (/** @type {string[]} */ lines, /** @type {string} */ pad) =>
    lines.map((line) => (line === '' ? '' : `${pad}${line}`));
  return [
    'UserData: !Base64',
    '  Fn::Join:',
    "    - ''",
    '    - - !Sub |',
    '          #!/bin/bash',
    "          # Each parameter's AllowedPattern keeps quotes out of these values.",
    ...indent(
      exports.map((line) => `export ${line}`),
      '          ',
    ),
    '      - |',
    ...indent(body, '        '),
  ].join('\n');
}
