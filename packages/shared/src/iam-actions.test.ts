import t from 'tap';
import { API_IAM_ACTIONS } from './iam-actions.js';

t.test('the API is granted exactly these actions, each on one kind of resource', async (t) => {
  // Least privilege: a new action, a wider resource or a lost one must be a deliberate change here.
  t.same(
    API_IAM_ACTIONS.map((grant) => `${grant.action} on ${grant.resource}`),
    [
      'dynamodb:GetItem on table',
      'dynamodb:BatchGetItem on table',
      'dynamodb:PutItem on table',
      'dynamodb:UpdateItem on table',
      'dynamodb:DeleteItem on table',
      'dynamodb:DescribeTable on table',
      'dynamodb:Query on table-indexes',
      's3:ListBucket on bucket',
      's3:PutObject on photo-objects',
      's3:GetObject on photo-objects',
      's3:DeleteObject on photo-objects',
    ],
  );
});

t.test('every grant says why, once per action, with no wildcard', async (t) => {
  const actions = API_IAM_ACTIONS.map((grant) => grant.action);
  t.equal(new Set(actions).size, actions.length, 'no action twice');
  for (const { action, resource, why } of API_IAM_ACTIONS) {
    t.match(action, /^(dynamodb|s3):[A-Z][A-Za-z]+$/, `${action}: one named action`);
    t.equal(
      action.startsWith('s3:'),
      resource === 'bucket' || resource === 'photo-objects',
      action,
    );
    t.ok(why.trim().length >= 10, `${action}: a reason (${why})`);
  }
});
