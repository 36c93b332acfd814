// account.yaml's policies allow exactly its DECLARED_GRANTS (deploy-exact-grants-template.ts).
import { testExactGrants } from './deploy-exact-grants-template.js';

testExactGrants('account.yaml');
