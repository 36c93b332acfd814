// serverless.yaml's policies allow exactly its DECLARED_GRANTS (deploy-exact-grants-template.ts).
import { testExactGrants } from './deploy-exact-grants-template.js';

testExactGrants('serverless.yaml');
