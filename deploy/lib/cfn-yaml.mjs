// Reads CloudFormation YAML into plain JSON: the short-form tags (!Ref, !Sub, !GetAtt, ...) become
// their long forms ({ Ref: ... }, { 'Fn::Sub': ... }), as CloudFormation itself reads them.
import { parse } from 'yaml';

/** @typedef {import('yaml').ScalarTag | import('yaml').CollectionTag} Tag */
/** @typedef {{ toJSON(): unknown }} JsonNode */

const FN_TAGS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'GetAtt',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
];

/**
 * @param {string} name the short tag without `!`
 * @param {(value: unknown) => unknown} wrap how the tag's value becomes the long form
 * @returns {Tag[]}
 */
function tagsFor(name, wrap) {
  const tag = `!${name}`;
  return [
    { tag, resolve: (/** @type {string} */ value) => wrap(value) },
    { tag, collection: 'seq', resolve: (value) => wrap(/** @type {JsonNode} */ (value).toJSON()) },
    { tag, collection: 'map', resolve: (value) => wrap(/** @type {JsonNode} */ (value).toJSON()) },
  ];
}

/** @param {unknown} value */
function getAtt(value) {
  if (typeof value !== 'string') return { 'Fn::GetAtt': value };
  const dot = value.indexOf('.');
  return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
}

/** @type {Tag[]} */
export const cfnTags = [
  ...tagsFor('Ref', (value) => ({ Ref: value })),
  ...tagsFor('Condition', (value) => ({ Condition: value })),
  ...FN_TAGS.filter((name) => name !== 'GetAtt').flatMap((name) =>
    tagsFor(name, (value) => ({ [`Fn::${name}`]: value })),
  ),
  ...tagsFor('GetAtt', getAtt),
];

/**
 * Parses a CloudFormation template written in YAML.
 * @param {string} text
 * @returns {Record<string, any>}
 */
export function parseTemplate(text) {
  const doc = parse(text, { customTags: cfnTags, maxAliasCount: -1 });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error('a CloudFormation template must be a YAML mapping');
  }
  return doc;
}
