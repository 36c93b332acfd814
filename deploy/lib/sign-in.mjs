// Sign-in (Cognito) for both stacks: the user pool (MFA required, TOTP), the three role groups,
// the `directory` resource server, the public web client, an optional machine client, the
// hosted-UI domain, and the OIDC_* settings the API reads (names fixed by the sign-in contract).

/** The groups the API maps to roles (OIDC_GROUPS_CLAIM, `cognito:groups`); lower precedence wins. */
export const SIGN_IN_GROUPS = [
  {
    name: 'admin',
    precedence: 0,
    description: 'Everything editors do, plus /info and the CPU stress',
  },
  { name: 'editor', precedence: 1, description: 'Creates, edits and deletes employees' },
  { name: 'viewer', precedence: 2, description: 'Reads the directory' },
];

/** Cognito resource server; machine clients carry `directory/<role>` scopes. */
export const RESOURCE_SERVER = 'directory';

/** The scopes the web client may ask for: never a `directory/*` scope, which any user could request. */
export const WEB_CLIENT_SCOPES = ['openid', 'profile', 'email'];

export const CALLBACK_PATH = '/auth/callback';
export const SIGNED_OUT_PATH = '/auth/signed-out';

/**
 * The app's settings, as `!Sub` texts over the stack's names plus two variables every template
 * defines: PublicHost (where browsers reach the app) and OidcAudience (the accepted client ids).
 */
export const SIGN_IN_SETTINGS = {
  OIDC_ISSUER: `https://cognito-idp.\${AWS::Region}.\${AWS::URLSuffix}/\${UserPool}`,
  OIDC_CLIENT_ID: `\${WebClient}`,
  OIDC_AUDIENCE: `\${OidcAudience}`,
  OIDC_REDIRECT_URI: `https://\${PublicHost}${CALLBACK_PATH}`,
  OIDC_POST_LOGOUT_REDIRECT_URI: `https://\${PublicHost}${SIGNED_OUT_PATH}`,
  // Cognito's discovery document has no end_session_endpoint: its hosted UI's /logout instead.
  OIDC_END_SESSION_URL: `https://\${UserPoolDomain}.auth.\${AWS::Region}.amazoncognito.com/logout`,
};

/** The machine client's id joins the accepted audiences only when the stack creates it. */
const AUDIENCE = `!If [HasMachineClient, !Sub "\${WebClient},\${MachineClient}", !Ref WebClient]`;

/**
 * One setting as a `!Sub` (mapping lines, no indentation), with only the variables it uses.
 * @param {string} text
 * @param {string} host a YAML expression for the public host name
 */
function subWithVariables(text, host) {
  const variables = { PublicHost: host, OidcAudience: AUDIENCE };
  const used = Object.entries(variables).filter(([name]) => text.includes(`\${${name}}`));
  if (used.length === 0) return [`!Sub "${text}"`];
  return [
    '!Sub',
    `  - "${text}"`,
    ...used.map(([name, value], i) => `  ${i === 0 ? '- ' : '  '}${name}: ${value}`),
  ];
}

/**
 * The settings as Lambda environment variables (mapping lines, no indentation).
 * @param {string} host
 */
export function renderSignInEnvironment(host) {
  return Object.entries(SIGN_IN_SETTINGS)
    .flatMap(([name, text]) => {
      const [first, ...rest] = subWithVariables(text, host);
      return [`${name}: ${first}`, ...rest];
    })
    .join('\n');
}

/**
 * The `!Sub` variables the EC2 user data needs for SIGN_IN_SETTINGS, as mapping lines.
 * @param {string} host
 */
export function signInVariables(host) {
  return [`PublicHost: ${host}`, `OidcAudience: ${AUDIENCE}`];
}

/**
 * The Cognito resources of one stack.
 * @param {string} flavour `ec2` or `fn`: names are `empdir-<flavour>-<Stage>-...`
 * @param {string} host a YAML expression for the public host name
 */
export function renderSignInResources(flavour, host) {
  const prefix = `empdir-${flavour}-\${Stage}`;
  const urls = (/** @type {string} */ path) =>
    subWithVariables(`https://\${PublicHost}${path}`, host)
      .map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))
      .join('\n      ');
  const groups = SIGN_IN_GROUPS.map(
    (g) => `SignInGroup${g.name[0]?.toUpperCase()}${g.name.slice(1)}:
  Type: AWS::Cognito::UserPoolGroup
  Properties:
    UserPoolId: !Ref UserPool
    GroupName: ${g.name}
    Description: ${g.description}
    Precedence: ${g.precedence}`,
  );
  const scopes = SIGN_IN_GROUPS.map(
    (g) => `      - ScopeName: ${g.name}
        ScopeDescription: Acts as the ${g.name} role`,
  );
  return `# No self sign-up: an administrator creates each user, who must enrol a TOTP app at first sign-in.
UserPool:
  Type: AWS::Cognito::UserPool
  DeletionPolicy: Delete
  UpdateReplacePolicy: Retain
  Properties:
    UserPoolName: !Sub '${prefix}-users'
    DeletionProtection: !If [IsProd, ACTIVE, INACTIVE]
    MfaConfiguration: 'ON'
    EnabledMfas: [SOFTWARE_TOKEN_MFA]
    UsernameAttributes: [email]
    UsernameConfiguration:
      CaseSensitive: false
    AutoVerifiedAttributes: [email]
    AdminCreateUserConfig:
      AllowAdminCreateUserOnly: true
    AccountRecoverySetting:
      RecoveryMechanisms:
        - Name: verified_email
          Priority: 1
    Policies:
      PasswordPolicy:
        MinimumLength: 14
        RequireLowercase: true
        RequireUppercase: true
        RequireNumbers: true
        RequireSymbols: true
        TemporaryPasswordValidityDays: 3
    UserPoolTags:
      Stage: !Ref Stage

${groups.join('\n\n')}

SignInResourceServer:
  Type: AWS::Cognito::UserPoolResourceServer
  Properties:
    UserPoolId: !Ref UserPool
    Identifier: ${RESOURCE_SERVER}
    Name: !Sub '${prefix}-${RESOURCE_SERVER}'
    Scopes:
${scopes.join('\n')}

# The browser's client: public (no secret anywhere), authorization code with PKCE, the hosted UI only.
WebClient:
  Type: AWS::Cognito::UserPoolClient
  Properties:
    UserPoolId: !Ref UserPool
    ClientName: !Sub '${prefix}-web'
    GenerateSecret: false
    AllowedOAuthFlowsUserPoolClient: true
    AllowedOAuthFlows: [code]
    AllowedOAuthScopes: [${WEB_CLIENT_SCOPES.join(', ')}]
    SupportedIdentityProviders: [COGNITO]
    CallbackURLs:
      ${urls(CALLBACK_PATH)}
    LogoutURLs:
      ${urls(SIGNED_OUT_PATH)}
    ExplicitAuthFlows: [ALLOW_REFRESH_TOKEN_AUTH]
    PreventUserExistenceErrors: ENABLED
    EnableTokenRevocation: true
    AccessTokenValidity: 60
    IdTokenValidity: 60
    RefreshTokenValidity: 480
    TokenValidityUnits:
      AccessToken: minutes
      IdToken: minutes
      RefreshToken: minutes

# Optional client-credentials client for automation; its secret stays in Cognito (DescribeUserPoolClient).
MachineClient:
  Type: AWS::Cognito::UserPoolClient
  Condition: HasMachineClient
  DependsOn: SignInResourceServer
  Properties:
    UserPoolId: !Ref UserPool
    ClientName: !Sub '${prefix}-machine'
    GenerateSecret: true
    AllowedOAuthFlowsUserPoolClient: true
    AllowedOAuthFlows: [client_credentials]
    AllowedOAuthScopes:
      - !Sub '${RESOURCE_SERVER}/\${MachineClientRole}'
    ExplicitAuthFlows: [ALLOW_REFRESH_TOKEN_AUTH]
    PreventUserExistenceErrors: ENABLED
    EnableTokenRevocation: true
    AccessTokenValidity: 60
    TokenValidityUnits:
      AccessToken: minutes

# The hosted UI at https://<prefix>.auth.<region>.amazoncognito.com (sign-in, TOTP enrolment, sign-out).
UserPoolDomain:
  Type: AWS::Cognito::UserPoolDomain
  Properties:
    UserPoolId: !Ref UserPool
    Domain: !Sub '${prefix}-\${AWS::AccountId}'`;
}
