// deploy/ is not a workspace package, so it reaches @empdir/shared through its build output; the
// root `npm test` and `tsc -b` build packages/shared first.
export {
  API_IAM_ACTIONS,
  EMPLOYEE_TABLE,
  PHOTO_KEY_PREFIX,
} from '../../packages/shared/dist/index.js';

/** @typedef {import('../../packages/shared/dist/index.js').IamActionGrant} IamActionGrant */
/** @typedef {import('../../packages/shared/dist/index.js').IamResourceKind} IamResourceKind */
