import { sortNameFor } from '@empdir/shared';
import t from 'tap';
import { updateExpressionFor } from './update-expression.js';

const id = '0b5c7a9e-4f7e-4a51-9d1a-2b3c4d5e6f70';
const AT = '2026-01-15T12:00:00.000Z';

t.test('pinned to a version: the condition names it', async (t) => {
  const out = updateExpressionFor(id, { jobTitle: 'Lead' }, AT, 4);
  t.equal(out.ConditionExpression, 'attribute_exists(#id) AND #version = :expected');
  t.equal(out.ExpressionAttributeValues[':expected'], 4);
  t.equal(
    out.UpdateExpression,
    'SET #version = #version + :one, #updatedAt = :updatedAt, #jobTitle = :jobTitle',
  );
});

t.test('without a version: existence only', async (t) => {
  const out = updateExpressionFor(id, { jobTitle: 'Lead' }, AT, undefined);
  t.equal(out.ConditionExpression, 'attribute_exists(#id)');
  t.notOk(':expected' in out.ExpressionAttributeValues);
});

t.test('a rename sets the sort name; null removes; undefined is left alone', async (t) => {
  const out = updateExpressionFor(
    id,
    { fullName: 'Zoë', photoKey: null, location: undefined },
    AT,
    1,
  );
  t.match(out.UpdateExpression, /#fullName = :fullName, #sortName = :sortName REMOVE #photoKey$/);
  t.equal(out.ExpressionAttributeValues[':sortName'], sortNameFor('Zoë', id));
  t.notOk('#location' in out.ExpressionAttributeNames);
  t.equal(out.ExpressionAttributeNames['#photoKey'], 'photoKey');
});
