// Evaluates a template's `Rules:` for one set of parameters, as CloudFormation does before it
// creates anything: a rule whose RuleCondition holds must have every Assert true.
import { createResolver } from './cfn-resolve.mjs';

/**
 * @param {Record<string, any>} template a parsed template
 * @param {Record<string, string>} parameters
 * @returns {string[]} `<rule>: <AssertDescription>` for every failed assertion; empty when the stack may be created
 */
export function ruleFailures(template, parameters) {
  const { resolve } = createResolver(template, { parameters });
  /** @type {string[]} */
  const failures = [];
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && resolve(rule.RuleCondition) !== true) continue;
    for (const assertion of rule.Assertions ?? []) {
      if (resolve(assertion.Assert) !== true) {
        failures.push(`${name}: ${assertion.AssertDescription ?? 'assertion failed'}`);
      }
    }
  }
  return failures;
}
