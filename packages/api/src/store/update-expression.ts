import { EMPLOYEE_TABLE, sortNameFor } from '@empdir/shared';
import type { EmployeeChanges } from './employee-store.js';

const index = EMPLOYEE_TABLE.byNameIndex;

/** The parts of an UpdateItem that applies `changes` to version `expectedVersion` of an employee. */
export interface EmployeeUpdateExpression {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Sets the changed fields (null removes one), the sort name after a rename, the next version and
 * `updatedAt`; only if the item exists at `expectedVersion`, when one is given.
 */
export function updateExpressionFor(
  id: string,
  changes: EmployeeChanges,
  updatedAt: string,
  expectedVersion: number | undefined,
): EmployeeUpdateExpression {
  const names: Record<string, string> = {
    '#id': 'id',
    '#version': 'version',
    '#updatedAt': 'updatedAt',
  };
  const values: Record<string, unknown> = { ':one': 1, ':updatedAt': updatedAt };
  const sets = ['#version = #version + :one', '#updatedAt = :updatedAt'];
  const removes: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) removes.push(`#${field}`);
    else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  if (changes.fullName !== undefined) {
    names['#sortName'] = index.sortKey;
    sets.push('#sortName = :sortName');
    values[':sortName'] = sortNameFor(changes.fullName, id);
  }
  let condition = 'attribute_exists(#id)';
  if (expectedVersion !== undefined) {
    condition += ' AND #version = :expected';
    values[':expected'] = expectedVersion;
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
