import { request as httpRequest } from 'node:http';
import { ImdsRequestError } from './errors.js';

export interface ImdsRequest {
  readonly method: 'GET' | 'PUT';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ImdsResponse {
  readonly status: number;
  readonly body: string;
  /** The answer's `Date` header, when it had one (the clock-skew estimate reads it). */
  readonly date?: string;
}

/**
 * One HTTP exchange with IMDS. Answers with any status; throws ImdsRequestError (timeout, network,
 * aborted) only when there is no answer. The module boundary tests replace with a fake.
 */
export type ImdsTransport = (request: ImdsRequest) => Promise<ImdsResponse>;

export interface HttpTransportOptions {
  /** `http://host[:port]`, no path. */
  readonly endpoint: string;
  readonly timeoutMs: number;
  /** Aborts every in-flight request (shutdown). */
  readonly signal?: AbortSignal;
  /** Where the deadline's timer comes from (default: a real one); simulated hours inject theirs. */
  readonly deadline?: (ms: number) => AbortSignal;
}

const MAX_BODY_BYTES = 64 * 1024;

/** The real transport: node:http with a whole-request deadline, keeping the `Date` header. */
export function httpTransport(options: HttpTransportOptions): ImdsTransport {
  const url = new URL(options.endpoint);
  const port = url.port ? Number(url.port) : 80;
  const hostname = url.hostname.replace(/^\[(.+)\]$/, '$1');
  const makeDeadline = options.deadline ?? ((ms: number) => AbortSignal.timeout(ms));
  return async (request) => {
    const deadline = makeDeadline(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    try {
      return await exchange(hostname, port, request, signal);
    } catch (error) {
      const kind = deadline.aborted ? 'timeout' : options.signal?.aborted ? 'aborted' : 'network';
      throw new ImdsRequestError(kind, request.path, undefined, { cause: error });
    }
  };
}

function exchange(
  hostname: string,
  port: number,
  request: ImdsRequest,
  signal: AbortSignal,
): Promise<ImdsResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname,
        port,
        path: request.path,
        method: request.method,
        headers: withoutForwardedFor(request.headers),
        signal,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const date = res.headers.date;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // IMDS documents are a few KB; anything larger is not IMDS.
          if (size > MAX_BODY_BYTES) req.destroy(new Error('IMDS answer too large'));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          // Only a 200's body is used; others are read to the end and dropped.
          const body = status === 200 ? Buffer.concat(chunks).toString('utf8') : '';
          resolve(date === undefined ? { status, body } : { status, body, date });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// IMDS refuses proxied requests; the daemon never sends the header, whatever a caller passes.
function withoutForwardedFor(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'x-forwarded-for'),
  );
}
