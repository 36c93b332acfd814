import { z } from 'zod';
import { type DocumentExtras, safeExtras } from './document-extras.js';

const identityFields = {
  instanceId: z.string().min(1),
  region: z.string().min(1),
  availabilityZone: z.string().min(1),
  instanceType: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/),
};
const IDENTITY_FIELDS: ReadonlySet<string> = new Set(Object.keys(identityFields));

/**
 * IMDS's /latest/dynamic/instance-identity/document: the fields we use, checked, plus its other
 * small string or number fields (imageId, privateIp, ...) as IMDS sent them, for the facade.
 */
export type InstanceIdentityDocument = z.infer<z.ZodObject<typeof identityFields>> & DocumentExtras;
export const instanceIdentityDocumentSchema = z
  .looseObject(identityFields)
  .transform((doc): InstanceIdentityDocument => {
    const { instanceId, region, availabilityZone, instanceType, accountId } = doc;
    const known = { instanceId, region, availabilityZone, instanceType, accountId };
    return { ...safeExtras(doc, IDENTITY_FIELDS), ...known };
  });

/** What the imds-cache daemon serves at GET /v1/instance: the five fields, nothing else. */
export const instanceInfoSchema = z.object(identityFields);
export type InstanceInfo = z.infer<typeof instanceInfoSchema>;
