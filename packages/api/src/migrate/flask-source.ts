import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { toUpstreamError } from '../store/aws-errors.js';

/** The Flask sample's data, read only: its table (key `id`) and its bucket. */
export interface FlaskSource {
  /** One segment of a parallel scan, page by page. */
  scan(segment: number, totalSegments: number): AsyncIterable<Record<string, unknown>[]>;
  /** The object's bytes, or undefined when the key no longer exists. */
  getPhoto(key: string): Promise<Uint8Array | undefined>;
  /** DynamoDB's item count (refreshed about every six hours), for the progress bar only. */
  approximateCount(): Promise<number | undefined>;
  /** Throws when the table or the bucket cannot be reached. */
  checkReady(): Promise<void>;
}

export function createFlaskSource(
  dynamoDb: DynamoDBClient,
  s3: S3Client,
  names: { readonly table: string; readonly bucket: string },
): FlaskSource {
  const doc = DynamoDBDocumentClient.from(dynamoDb);
  return {
    async *scan(segment, totalSegments) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await doc
          .send(
            new ScanCommand({
              TableName: names.table,
              Segment: segment,
              TotalSegments: totalSegments,
              ExclusiveStartKey: startKey,
            }),
          )
          .catch((error: unknown) => Promise.reject(toUpstreamError('dynamodb', error)));
        yield out.Items ?? [];
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    },
    async getPhoto(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: key }));
        return await out.Body?.transformToByteArray();
      } catch (error) {
        if ((error as { name?: string } | null)?.name === 'NoSuchKey') return undefined;
        throw toUpstreamError('s3', error);
      }
    },
    async approximateCount() {
      const out = await dynamoDb
        .send(new DescribeTableCommand({ TableName: names.table }))
        .catch(() => undefined);
      return out?.Table?.ItemCount;
    },
    async checkReady() {
      await dynamoDb.send(new DescribeTableCommand({ TableName: names.table }));
      await s3.send(new HeadBucketCommand({ Bucket: names.bucket }));
    },
  };
}
