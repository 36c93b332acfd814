// Evaluates a parsed template's intrinsic functions for one set of parameters, so tests can read
// the policies exactly as CloudFormation would hand them to IAM. Physical names and ARNs follow
// the rules CloudFormation uses for the resource types these templates name.

/** @typedef {Record<string, any>} Template */
/**
 * @typedef {object} ResolveOptions
 * @property {Record<string, string>} [parameters] overrides of the template's parameter defaults
 * @property {string} [region]
 * @property {string} [accountId]
 * @property {string} [stackName]
 */

/** Marks `Ref: AWS::NoValue`: the property or list item disappears. */
export const NO_VALUE = Symbol('AWS::NoValue');

/**
 * @param {Template} template
 * @param {ResolveOptions} [options]
 */
export function createResolver(template, options = {}) {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const stackName = options.stackName ?? 'empdir-test';
  /** @type {Record<string, string>} */
  const pseudo = {
    'AWS::Region': region,
    'AWS::AccountId': accountId,
    'AWS::Partition': 'aws',
    'AWS::StackName': stackName,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/0`,
  };
  /** @type {Record<string, unknown>} */
  const parameters = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    const value = options.parameters?.[name] ?? spec.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no default and no value`);
    if (spec.AllowedValues && !spec.AllowedValues.includes(value)) {
      throw new Error(`parameter ${name}=${value} is not one of ${spec.AllowedValues.join(', ')}`);
    }
    parameters[name] = value;
  }
  /** @type {Record<string, any>} */
  const resources = template.Resources ?? {};

  /** @param {string} id */
  function resource(id) {
    const found = resources[id];
    if (!found) throw new Error(`no resource ${id}`);
    return found;
  }

  /** @param {string} id @param {string} property @param {string} fallback */
  function named(id, property, fallback) {
    const value = resource(id).Properties?.[property];
    return value === undefined ? fallback : String(resolve(value));
  }

  /** @param {string} id */
  function ref(id) {
    if (id in pseudo) return pseudo[id];
    if (id in parameters) return parameters[id];
    const { Type: type } = resource(id);
    const generated = `${stackName}-${id}-GENERATED`;
    switch (type) {
      case 'AWS::S3::Bucket':
        return named(id, 'BucketName', generated.toLowerCase());
      case 'AWS::DynamoDB::Table':
        return named(id, 'TableName', generated);
      case 'AWS::IAM::Role':
        return named(id, 'RoleName', generated);
      case 'AWS::Logs::LogGroup':
        return named(id, 'LogGroupName', generated);
      case 'AWS::Lambda::Function':
        return named(id, 'FunctionName', generated);
      case 'AWS::IAM::Group':
        return named(id, 'GroupName', generated);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${accountId}:policy/${named(id, 'ManagedPolicyName', generated)}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${accountId}:${named(id, 'TopicName', generated)}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${accountId}:secret:${named(id, 'Name', id)}-AbCdEf`;
      default:
        return `${id}-physical-id`;
    }
  }

  /** @param {string} id @param {string} attribute */
  function getAtt(id, attribute) {
    const { Type: type } = resource(id);
    const key = `${type}.${attribute}`;
    switch (key) {
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${ref(id)}`;
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${ref(id)}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${accountId}:role/${ref(id)}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${region}:${accountId}:log-group:${ref(id)}:*`;
      case 'AWS::KMS::Key.Arn':
        return `arn:aws:kms:${region}:${accountId}:key/${ref(id)}`;
      case 'AWS::IAM::Group.Arn':
        return `arn:aws:iam::${accountId}:group/${ref(id)}`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${region}:${accountId}:function:${ref(id)}`;
      default:
        return `${id}.${attribute}`;
    }
  }

  /** @param {string} name */
  function condition(name) {
    const spec = template.Conditions?.[name];
    if (spec === undefined) throw new Error(`no condition ${name}`);
    return Boolean(resolve(spec));
  }

  /** @param {string} text @param {Record<string, unknown>} vars */
  function sub(text, vars) {
    return text.replace(/\$\{([^}]+)\}/g, (_, /** @type {string} */ name) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in vars) return String(resolve(vars[name]));
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::'))
        return getAtt(name.slice(0, dot), name.slice(dot + 1));
      return String(ref(name));
    });
  }

  /**
   * @param {unknown} value
   * @returns {any}
   */
  function resolve(value) {
    if (Array.isArray(value)) return value.map(resolve).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first) {
      const [key, arg] = first;
      switch (key) {
        case 'Ref':
          return arg === 'AWS::NoValue' ? NO_VALUE : ref(arg);
        case 'Condition':
          return condition(arg);
        case 'Fn::GetAtt':
          return getAtt(arg[0], arg[1]);
        case 'Fn::Sub':
          return Array.isArray(arg) ? sub(arg[0], arg[1]) : sub(arg, {});
        case 'Fn::Join':
          return resolve(arg[1]).join(arg[0]);
        case 'Fn::If':
          return condition(arg[0]) ? resolve(arg[1]) : resolve(arg[2]);
        case 'Fn::Equals':
          return String(resolve(arg[0])) === String(resolve(arg[1]));
        case 'Fn::Not':
          return !resolve(arg[0]);
        case 'Fn::Or':
          return arg.some((/** @type {unknown} */ item) => resolve(item));
        case 'Fn::And':
          return arg.every((/** @type {unknown} */ item) => resolve(item));
        case 'Fn::FindInMap':
          return template.Mappings?.[resolve(arg[0])]?.[resolve(arg[1])]?.[resolve(arg[2])];
        case 'Fn::Base64':
          return Buffer.from(String(resolve(arg))).toString('base64');
        default:
          if (key.startsWith('Fn::')) throw new Error(`${key} is not supported by the resolver`);
      }
    }
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [key, item] of entries) {
      const resolved = resolve(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  /** Whether a resource exists for these parameters (its Condition, if any, holds). */
  function isCreated(/** @type {string} */ id) {
    const name = resource(id).Condition;
    return name === undefined || condition(name);
  }

  return { resolve, condition, isCreated, ref, getAtt, parameters, resources };
}
