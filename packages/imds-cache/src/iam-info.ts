import { type DocumentExtras, safeExtras } from '@empdir/shared';
import { z } from 'zod';
import { MalformedDocumentError } from './errors.js';

export const IAM_INFO_PATH = '/latest/meta-data/iam/info';

const iamInfoFields = {
  Code: z.literal('Success'),
  LastUpdated: z.string().min(1).max(64),
  InstanceProfileArn: z.string().startsWith('arn:').max(2048),
  InstanceProfileId: z.string().min(1).max(128),
};
const IAM_INFO_FIELDS: ReadonlySet<string> = new Set(Object.keys(iamInfoFields));

/** IMDS's iam/info: the instance profile behind the role, as IMDS sent it (small fields only). */
export type IamInfo = z.infer<z.ZodObject<typeof iamInfoFields>> & DocumentExtras;

const iamInfoSchema = z.looseObject(iamInfoFields).transform((doc): IamInfo => {
  const { Code, LastUpdated, InstanceProfileArn, InstanceProfileId } = doc;
  const known = { Code, LastUpdated, InstanceProfileArn, InstanceProfileId };
  return { ...safeExtras(doc, IAM_INFO_FIELDS), ...known };
});

/** Parses iam/info's body; throws MalformedDocumentError naming fields, never values. */
export function parseIamInfo(body: string): IamInfo {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedDocumentError(IAM_INFO_PATH, ['not JSON']);
  }
  const result = iamInfoSchema.safeParse(json);
  if (result.success) return result.data;
  throw new MalformedDocumentError(
    IAM_INFO_PATH,
    result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
  );
}
