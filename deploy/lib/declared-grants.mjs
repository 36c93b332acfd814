// Every request the templates' policies may allow, written down once and independently of the
// policies: test/integration/deploy-exact-grants-*.test.ts require IAM's evaluation of the
// policies to allow exactly these and nothing else. Widening a policy means adding a line here.
// Resources are `!Sub` texts over the template's names; a trailing `*` covers one key below it.
import { ACCOUNT_GRANTS } from './declared-grants-account.mjs';
import { API_IAM_ACTIONS, EMPLOYEE_TABLE, PHOTO_KEY_PREFIX } from './shared.mjs';

/**
 * @typedef {object} DeclaredGrant
 * @property {string} principal `role:<logical id>` or `service:<service principal>`
 * @property {string} action
 * @property {string} resource a `!Sub` text
 * @property {string} [when] a template condition that must hold
 * @property {string} why
 */

/** @type {Record<import('./shared.mjs').IamResourceKind, string>} */
const API_RESOURCE = {
  table: `\${EmployeesTable.Arn}`,
  'table-indexes': `\${EmployeesTable.Arn}/index/${EMPLOYEE_TABLE.byNameIndex.name}`,
  bucket: `\${PhotosBucket.Arn}`,
  'photo-objects': `\${PhotosBucket.Arn}/${PHOTO_KEY_PREFIX}*`,
};

/** @param {string} role @returns {DeclaredGrant[]} */
const apiGrants = (role) =>
  API_IAM_ACTIONS.map((grant) => ({
    principal: `role:${role}`,
    action: grant.action,
    resource: API_RESOURCE[grant.resource],
    why: `the API: ${grant.why}`,
  }));

/** @type {Record<string, DeclaredGrant[]>} */
export const DECLARED_GRANTS = {
  'account.yaml': ACCOUNT_GRANTS,
  'ec2.yaml': [
    ...apiGrants('ApiRole'),
    // The instance role reaches no data: the imds-cache daemon chains from it to the API's role.
    ...['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'].map((action) => ({
      principal: 'role:InstanceRole',
      action,
      resource: `\${ApiRole.Arn}`,
      why: 'the imds-cache daemon assumes the API client role (session <instance-id>-api, tag client=api)',
    })),
    {
      principal: 'role:InstanceRole',
      action: 's3:GetObject',
      resource: `arn:\${AWS::Partition}:s3:::\${ArtifactBucket}/\${ArtifactKey}`,
      why: 'user-data.sh downloads the release',
    },
    {
      principal: 'role:InstanceRole',
      action: 'secretsmanager:GetSecretValue',
      resource: `\${SessionSecret}`,
      why: 'user-data.sh reads SESSION_SECRET',
    },
    {
      principal: 'role:InstanceRole',
      action: 'cloudformation:SignalResource',
      resource: `\${AWS::StackId}`,
      why: 'user-data.sh signals readiness to its own stack (rollouts wait for it)',
    },
    {
      principal: 'service:ec2.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: `\${InstanceRole.Arn}`,
      why: 'instances get the role through their profile',
    },
    {
      principal: 'service:cloudtrail.amazonaws.com',
      action: 's3:GetBucketAcl',
      resource: `\${TrailBucket.Arn}`,
      when: 'CreateTrail',
      why: 'the trail checks its bucket',
    },
    {
      principal: 'service:cloudtrail.amazonaws.com',
      action: 's3:PutObject',
      resource: `\${TrailBucket.Arn}/AWSLogs/\${AWS::AccountId}/*`,
      when: 'CreateTrail',
      why: 'the trail writes its log files',
    },
    {
      principal: 'service:cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: `\${AlarmTopic}`,
      why: 'alarms notify the alarm topic',
    },
  ],
  'serverless.yaml': [
    ...apiGrants('ApiFunctionRole'),
    ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      principal: 'role:ApiFunctionRole',
      action,
      resource: `\${ApiFunctionLogGroup.Arn}`,
      why: 'the function writes its own logs',
    })),
    {
      principal: 'service:lambda.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: `\${ApiFunctionRole.Arn}`,
      why: 'Lambda runs the function with its role',
    },
    {
      principal: 'service:apigateway.amazonaws.com',
      action: 'lambda:InvokeFunction',
      resource: `\${ApiFunction.Arn}`,
      why: 'the HTTP API invokes the function',
    },
    {
      principal: 'service:cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: `\${AlarmTopic}`,
      why: 'alarms notify the alarm topic',
    },
  ],
};

/** Actions no policy can deny to a signed-in principal: every role has them. */
export const ALWAYS_ALLOWED = ['sts:GetCallerIdentity'];

/**
 * The request context under which each role's grants apply: the network boundary denies the
 * instance role outside its VPC and with IMDSv1 credentials, the function's role outside its function.
 * @type {Record<string, Record<string, string>>}
 */
export const ROLE_CONTEXT = {
  // The deployer changes stacks only through the execution role, which it passes to CloudFormation.
  DeployerRole: {
    'cloudformation:RoleArn': `\${CloudFormationExecutionRole.Arn}`,
    'iam:PassedToService': 'cloudformation.amazonaws.com',
  },
  // The execution role creates stack roles with the boundary, passes them to instances, and lets
  // Auto Scaling create its service-linked role.
  CloudFormationExecutionRole: {
    'iam:PermissionsBoundary': `\${StackPermissionsBoundary}`,
    'iam:PassedToService': 'ec2.amazonaws.com',
    'iam:AWSServiceName': 'autoscaling.amazonaws.com',
  },
  // Operators assume the deployer role only with a fresh MFA sign-in.
  OperatorsGroup: { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300' },
  // ...and what the imds-cache daemon's AssumeRole for client "api" carries (ApiRole's trust checks it).
  InstanceRole: {
    'aws:SourceVpc': `\${Vpc}`,
    'ec2:RoleDelivery': '2.0',
    'sts:RoleSessionName': 'i-0123456789abcdef0-api',
    'aws:RequestTag/client': 'api',
    'sts:SourceIdentity': 'api',
  },
  // The API's role, chained from the instance role: its calls come through this VPC's endpoints.
  ApiRole: { 'aws:SourceVpc': `\${Vpc}` },
  ApiFunctionRole: {
    'lambda:SourceFunctionArn': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:empdir-fn-\${Stage}-api`,
  },
};

/**
 * The request context under which each service principal's grants apply (their conditions).
 * @type {Record<string, Record<string, string>>}
 */
export const SERVICE_CONTEXT = {
  'cloudtrail.amazonaws.com': {
    'aws:SourceArn': `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/empdir-ec2-\${Stage}`,
    's3:x-amz-acl': 'bucket-owner-full-control',
  },
  'apigateway.amazonaws.com': {
    'aws:SourceArn': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${HttpApi}/$default/GET/api/employees`,
  },
};

/**
 * Per template, where its service principals' context differs from SERVICE_CONTEXT.
 * @type {Record<string, Record<string, Record<string, string>>>}
 */
export const SERVICE_CONTEXT_OF = {
  'account.yaml': {
    'cloudtrail.amazonaws.com': {
      'aws:SourceArn': `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/empdir-account`,
      's3:x-amz-acl': 'bucket-owner-full-control',
    },
  },
};
