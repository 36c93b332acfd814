import { httpRequest } from '@smithy/credential-provider-imds';
import { ImdsRequestError } from './errors.js';

export interface ImdsRequest {
  readonly method: 'GET' | 'PUT';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ImdsResponse {
  readonly status: number;
  readonly body: string;
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
}

/** The real transport: @smithy/credential-provider-imds's httpRequest, with a whole-request deadline. */
export function httpTransport(options: HttpTransportOptions): ImdsTransport {
  const url = new URL(options.endpoint);
  const port = url.port ? Number(url.port) : 80;
  return async (request) => {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    try {
      const body = await httpRequest({
        hostname: url.hostname,
        port,
        path: request.path,
        method: request.method,
        headers: withoutForwardedFor(request.headers),
        signal,
      });
      return { status: 200, body: body.toString('utf8') };
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number') return { status, body: '' };
      const kind = deadline.aborted ? 'timeout' : options.signal?.aborted ? 'aborted' : 'network';
      throw new ImdsRequestError(kind, request.path, undefined, { cause: error });
    }
  };
}

// IMDS refuses proxied requests; the daemon never sends the header, whatever a caller passes.
function withoutForwardedFor(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'x-forwarded-for'),
  );
}
