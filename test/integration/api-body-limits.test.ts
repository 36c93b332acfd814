// Requests of any size or shape are refused before their bodies are read: the API process (a real
// child on 127.0.0.1) is offered 300 MB at a time and must neither read it from the socket nor grow.
// Measured from /proc: `rchar` (bytes the process read) and VmRSS; never from the clock.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { clientCredentialsToken, startOidcProvider } from '../support/oidc-provider.js';

const MAIN = join(import.meta.dirname, '..', '..', 'packages', 'api', 'dist', 'main.js');
const OFFERED_BYTES = 300 * 1024 * 1024;
const MB = 1024 * 1024;
// Far below what a read-then-refuse costs (the body itself, or Node's keep-alive drain of it).
const MAX_READ_BYTES = 1 * MB;
const MAX_RSS_GROWTH_BYTES = 4 * MB;

const oidc = await startOidcProvider();
t.teardown(() => oidc.stop());
const [machine] = oidc.clients;
const token = machine ? await clientCredentialsToken(oidc.issuer, machine) : '';

function startApiProcess(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: 'Employees',
      PHOTOS_BUCKET: 'employee-photos',
      AWS_REGION: 'us-east-1',
      // Nothing listens there: every refusal below must come before any AWS call.
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      PORT: '0',
      LOG_LEVEL: 'info',
      SESSION_SECRET: 's'.repeat(40),
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const port = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out)?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.once('close', (code) => reject(new Error(`API exited early with ${code}`)));
  });
}

/** What the process has read from any file or socket, and its resident set, in bytes. */
function usage(pid: number): { readBytes: number; rssBytes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    readBytes: Number(/rchar:\s+(\d+)/.exec(io)?.[1]),
    rssBytes: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) * 1024,
  };
}

interface Offer {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly framing: 'content-length' | 'chunked';
  readonly bytes: number;
  readonly contentType?: string;
}

/** Streams a request over a raw socket until the server closes it or all bytes are out. */
function offer(port: number, o: Offer): Promise<{ status: number | undefined; sentBytes: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const head = [
      `${o.method} ${o.path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Content-Type: ${o.contentType ?? 'application/x-www-form-urlencoded'}`,
      o.framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${o.bytes}`,
      ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ];
    let answer = '';
    let sentBytes = 0;
    let closed = false;
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({ status: status ? Number(status) : undefined, sentBytes });
    });
    const piece = Buffer.alloc(256 * 1024, 0x61);
    const framed =
      o.framing === 'chunked'
        ? Buffer.concat([
            Buffer.from(`${piece.length.toString(16)}\r\n`),
            piece,
            Buffer.from('\r\n'),
          ])
        : piece;
    const pump = async () => {
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      while (sentBytes < o.bytes && !closed) {
        sentBytes += piece.length;
        if (!socket.write(framed)) {
          await new Promise((done) => {
            socket.once('drain', done);
            socket.once('close', done);
          });
        }
      }
      if (!closed) socket.end(o.framing === 'chunked' ? '0\r\n\r\n' : '');
    };
    void pump();
  });
}

const { child, port } = await startApiProcess();
t.teardown(() => {
  child.kill('SIGKILL');
});
const pid = child.pid as number;

const bearer = { Authorization: `Bearer ${token}` };
const cases: { name: string; offer: Omit<Offer, 'bytes'>; status: number[] }[] = [
  {
    name: 'unauthenticated POST / with Content-Length',
    offer: { method: 'POST', path: '/', framing: 'content-length' },
    status: [303],
  },
  {
    name: 'unauthenticated POST / chunked, no length',
    offer: { method: 'POST', path: '/', framing: 'chunked' },
    status: [303],
  },
  {
    name: 'unknown route with a body',
    offer: { method: 'POST', path: '/no/such/route', framing: 'chunked' },
    status: [404],
  },
  {
    name: 'GET with a body',
    offer: { method: 'GET', path: '/healthz', framing: 'content-length' },
    status: [413],
  },
  {
    name: 'signed-in GET with a chunked body',
    offer: { method: 'GET', path: '/api/employees', framing: 'chunked', headers: bearer },
    status: [413],
  },
  {
    name: 'signed-in JSON create with an oversized declared length',
    offer: { method: 'POST', path: '/api/employees', framing: 'content-length', headers: bearer },
    status: [413],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    // The same request with a tiny body first, so code loading and JIT do not count as growth.
    await offer(port, { ...c.offer, bytes: 1024 });
    const before = usage(pid);
    const { status, sentBytes } = await offer(port, { ...c.offer, bytes: OFFERED_BYTES });
    const after = usage(pid);
    const read = after.readBytes - before.readBytes;
    const grown = after.rssBytes - before.rssBytes;
    t.comment(
      `${c.name}: client got ${sentBytes / MB} MB out, the API read ${(read / MB).toFixed(2)} MB, RSS ${(grown / MB).toFixed(1)} MB`,
    );
    t.ok(sentBytes < OFFERED_BYTES, 'the server closed the connection before the body ended');
    t.ok(read < MAX_READ_BYTES, `the API read ${read} bytes, under ${MAX_READ_BYTES}`);
    t.ok(grown < MAX_RSS_GROWTH_BYTES, `RSS grew ${grown} bytes, under ${MAX_RSS_GROWTH_BYTES}`);
    // The answer may be lost to the reset a close with unread input causes; when it arrives it is right.
    if (status !== undefined) t.ok(c.status.includes(status), `answered ${status}`);
  });
}

t.test('oversized headers: refused (431), nothing kept', async (t) => {
  const before = usage(pid);
  const { status } = await offer(port, {
    method: 'GET',
    path: '/healthz',
    framing: 'content-length',
    bytes: 0,
    headers: { 'X-Padding': 'p'.repeat(64 * 1024) },
  });
  const after = usage(pid);
  if (status !== undefined) t.equal(status, 431);
  t.ok(after.readBytes - before.readBytes < MAX_READ_BYTES);
  t.ok(after.rssBytes - before.rssBytes < MAX_RSS_GROWTH_BYTES);
});

t.test('a photo upload over the limit is cut off at the limit, not read whole', async (t) => {
  const before = usage(pid);
  const { sentBytes } = await offer(port, {
    method: 'PUT',
    path: '/api/employees/4f7c2a5e-1b3d-4c6e-8f9a-0b1c2d3e4f5a/photo',
    framing: 'chunked',
    bytes: OFFERED_BYTES,
    headers: bearer,
    contentType: 'image/png',
  });
  const read = usage(pid).readBytes - before.readBytes;
  t.ok(sentBytes < OFFERED_BYTES, 'the server closed the connection');
  t.ok(read < 8 * MB, `read ${read} bytes: the 5.25 MB upload limit plus framing`);
});
