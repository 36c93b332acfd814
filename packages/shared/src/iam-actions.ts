/**
 * What the API may do in AWS, the one source of truth for the IAM policies in deploy/ and for the
 * least-privilege check. `resource` names which ARN the action applies to; deploy/ turns these into
 * policy statements with the real table and bucket ARNs.
 */
export type IamResourceKind = 'table' | 'table-indexes' | 'bucket' | 'photo-objects';

export interface IamActionGrant {
  readonly action: string;
  readonly resource: IamResourceKind;
  readonly why: string;
}

export const API_IAM_ACTIONS: readonly IamActionGrant[] = [
  { action: 'dynamodb:GetItem', resource: 'table', why: 'view and edit one employee' },
  {
    action: 'dynamodb:BatchGetItem',
    resource: 'table',
    why: 'search: read the employees a page of search hints points at',
  },
  {
    action: 'dynamodb:PutItem',
    resource: 'table',
    why: 'create an employee (conditional on absence)',
  },
  {
    action: 'dynamodb:UpdateItem',
    resource: 'table',
    why: 'edit an employee (conditional on version)',
  },
  {
    action: 'dynamodb:DeleteItem',
    resource: 'table',
    why: 'delete an employee (conditional on existence)',
  },
  { action: 'dynamodb:DescribeTable', resource: 'table', why: 'readiness: the table is reachable' },
  {
    action: 'dynamodb:Query',
    resource: 'table-indexes',
    why: 'list and search employees sorted by name, one page at a time',
  },
  {
    action: 's3:ListBucket',
    resource: 'bucket',
    why: 'readiness: HeadBucket proves the bucket is reachable',
  },
  { action: 's3:PutObject', resource: 'photo-objects', why: 'store a resized photo' },
  { action: 's3:GetObject', resource: 'photo-objects', why: 'presigned GET URLs for photos' },
  {
    action: 's3:DeleteObject',
    resource: 'photo-objects',
    why: 'remove replaced and deleted photos',
  },
];
