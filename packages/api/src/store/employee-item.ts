import { EMPLOYEE_TABLE, type Employee, employeeSchema, sortNameFor } from '@empdir/shared';
import { UpstreamError } from '../errors.js';
import { encodeCursor } from './cursor.js';
import { storedEmployee } from './stored-employee.js';

const index = EMPLOYEE_TABLE.byNameIndex;

/** The item as stored: the employee plus the byName index keys. */
export function toItem(employee: Employee): Record<string, unknown> {
  return {
    ...employee,
    [index.partitionKey]: index.listKeyValue,
    [index.sortKey]: sortNameFor(employee.fullName, employee.id),
  };
}

/** The employee in a stored item, validated (cheaply when it has the usual shape); index keys dropped. */
export function fromItem(item: Record<string, unknown>): Employee {
  const fast = storedEmployee(item);
  if (fast) return fast;
  const { [index.partitionKey]: _listKey, [index.sortKey]: _sortName, ...rest } = item;
  const parsed = employeeSchema.safeParse(rest);
  // A malformed item is the table's fault, not the client's: report it as an upstream error.
  if (!parsed.success) throw new UpstreamError('dynamodb', 'error', parsed.error);
  return parsed.data;
}

/** The cursor that continues after this stored item. */
export function cursorAfter(item: Record<string, unknown>): string {
  return encodeCursor({ sortName: String(item[index.sortKey]), id: String(item.id) });
}
