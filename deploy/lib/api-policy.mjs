// The API's IAM statements, derived from API_IAM_ACTIONS (packages/shared) and rendered as the
// YAML fragment both templates embed. The resource of each kind is the narrowest ARN that still
// covers what the API does: the one table, its one index, the one bucket, the photo prefix.
import { API_IAM_ACTIONS, EMPLOYEE_TABLE, PHOTO_KEY_PREFIX } from './shared.mjs';

/** @typedef {import('./shared.mjs').IamResourceKind} IamResourceKind */
/** @typedef {import('./shared.mjs').IamActionGrant} IamActionGrant */

/**
 * Where each resource kind points in the templates: both declare `EmployeesTable` and `PhotosBucket`.
 * @type {Record<IamResourceKind, { sid: string, resource: string }>}
 */
export const RESOURCE_BY_KIND = {
  table: { sid: 'EmployeesTable', resource: '!GetAtt EmployeesTable.Arn' },
  'table-indexes': {
    sid: 'EmployeesTableIndexes',
    resource: `!Sub '\${EmployeesTable.Arn}/index/${EMPLOYEE_TABLE.byNameIndex.name}'`,
  },
  bucket: { sid: 'PhotosBucket', resource: '!GetAtt PhotosBucket.Arn' },
  'photo-objects': {
    sid: 'PhotoObjects',
    resource: `!Sub '\${PhotosBucket.Arn}/${PHOTO_KEY_PREFIX}*'`,
  },
};

/**
 * Groups grants into one statement per resource kind, actions sorted so the output is stable.
 * @param {readonly IamActionGrant[]} grants
 * @returns {{ sid: string, resource: string, grants: IamActionGrant[] }[]}
 */
export function apiStatements(grants = API_IAM_ACTIONS) {
  /** @type {Map<IamResourceKind, IamActionGrant[]>} */
  const byKind = new Map();
  for (const grant of grants) {
    if (!(grant.resource in RESOURCE_BY_KIND)) {
      throw new Error(`${grant.action}: unknown resource kind "${grant.resource}"`);
    }
    if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(grant.action)) {
      throw new Error(`${grant.action}: an action must be one service:Operation without wildcards`);
    }
    byKind.set(grant.resource, [...(byKind.get(grant.resource) ?? []), grant]);
  }
  return /** @type {IamResourceKind[]} */ (Object.keys(RESOURCE_BY_KIND))
    .filter((kind) => byKind.has(kind))
    .map((kind) => ({
      ...RESOURCE_BY_KIND[kind],
      grants: [...(byKind.get(kind) ?? [])].sort((a, b) => a.action.localeCompare(b.action)),
    }));
}

/**
 * The statements as YAML list items (no indentation: the fragment writer indents them).
 * @param {readonly IamActionGrant[]} [grants]
 */
export function renderApiStatements(grants) {
  return apiStatements(grants)
    .flatMap((statement) => [
      `- Sid: ${statement.sid}`,
      '  Effect: Allow',
      '  Action:',
      ...statement.grants.map((grant) => `    - ${grant.action} # ${grant.why}`),
      `  Resource: ${statement.resource}`,
    ])
    .join('\n');
}
