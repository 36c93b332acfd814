import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import t from 'tap';
import { createBucketIfMissing, s3ClientConfig } from '../support/local-aws.js';
import { startS3 } from '../support/s3.js';

const BUCKET = 'empdir-photos';

t.test('s3rver through the real SDK', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.stop());
  t.match(s3.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  const config = s3ClientConfig(s3);
  const client = new S3Client(config);
  t.teardown(() => client.destroy());

  await createBucketIfMissing(config, BUCKET);
  await createBucketIfMissing(config, BUCKET);
  const head = await client.send(new HeadBucketCommand({ Bucket: BUCKET }));
  t.equal(head.$metadata.httpStatusCode, 200, 'HeadBucket works, bucket created once');
  const missing = await client
    .send(new HeadBucketCommand({ Bucket: 'no-such-bucket' }))
    .catch((e) => e);
  t.equal(missing?.$metadata?.httpStatusCode, 404, 'a missing bucket is a 404');

  t.test('put and get bytes', async (t) => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'photos/e-1.png',
        Body: bytes,
        ContentType: 'image/png',
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'photos/e-1.png' }));
    t.equal(got.ContentType, 'image/png');
    t.same(Buffer.from(await (got.Body?.transformToByteArray() ?? new Uint8Array())), bytes);
  });

  t.test('a streamed upload arrives intact (checksums only when required)', async (t) => {
    const parts = [Buffer.from('streamed '), Buffer.from('photo '), Buffer.from('bytes')];
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'photos/streamed.bin',
        Body: Readable.from(parts),
        ContentLength: Buffer.concat(parts).length,
      }),
    );
    const got = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'photos/streamed.bin' }),
    );
    t.equal(
      await got.Body?.transformToString(),
      'streamed photo bytes',
      'no aws-chunked framing stored',
    );
  });

  t.test('ListObjectsV2 pages with continuation tokens', async (t) => {
    const keys = Array.from({ length: 7 }, (_, i) => `list/item-${i}.txt`);
    for (const key of keys) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    }
    const listed: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: BUCKET,
          Prefix: 'list/',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      pages += 1;
      listed.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && pages < 20);
    t.equal(pages, 4, 'seven keys in pages of two');
    t.same(listed, keys);
  });

  t.test('a presigned GET URL serves the bytes over plain HTTP', async (t) => {
    const body = Buffer.from('presigned hello');
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/hello.txt', Body: body }),
    );
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'signed/hello.txt' }),
      {
        expiresIn: 60,
      },
    );
    t.match(url, `${s3.endpoint}/${BUCKET}/signed/hello.txt?`, 'path-style URL on the stand-in');
    const response = await fetch(url);
    t.equal(response.status, 200);
    t.same(Buffer.from(await response.arrayBuffer()), body);
  });

  t.test('stop() ends the child and removes its temporary data', async (t) => {
    await s3.stop();
    t.throws(() => process.kill(-s3.pid, 0), { code: 'ESRCH' }, 'no process left');
    t.notOk(existsSync(s3.dataDir), 'temporary directory removed');
  });
});
