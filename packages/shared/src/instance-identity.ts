import { z } from 'zod';

/** The fields we use of IMDS's /latest/dynamic/instance-identity/document. */
export const instanceIdentityDocumentSchema = z.object({
  instanceId: z.string().min(1),
  region: z.string().min(1),
  availabilityZone: z.string().min(1),
  instanceType: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/),
});
export type InstanceIdentityDocument = z.infer<typeof instanceIdentityDocumentSchema>;

/** What the imds-cache daemon serves at GET /v1/instance. */
export const instanceInfoSchema = instanceIdentityDocumentSchema;
export type InstanceInfo = z.infer<typeof instanceInfoSchema>;
