// What every stand-in's server shares: node:http on 127.0.0.1 (port 0 unless given), its
// /__simulator/* control routes for a test steering it from another process, and close().
import { createServer } from 'node:http';

export const CONTROL_PREFIX = '/__simulator/';
const MAX_CONTROL_BODY_BYTES = 64 * 1024;

/**
 * @typedef {import('node:http').IncomingMessage} Request
 * @typedef {import('node:http').ServerResponse} Response
 * @typedef {{ url: string, port: number, close: () => Promise<void> }} StandinServer
 */

/**
 * Starts the server. Paths under CONTROL_PREFIX go to `control` when given, the rest to `handle`;
 * a request whose handler throws is logged under `name` and answered 500.
 * @param {{ name: string, port?: number,
 *   handle: (req: Request, res: Response, url: URL) => Promise<void>,
 *   control?: (req: Request, res: Response, path: string) => Promise<void> }} options
 * @returns {Promise<StandinServer>}
 */
export async function startStandinServer({ name, port = 0, handle, control }) {
  /**
   * @param {Request} req
   * @param {Response} res
   */
  const route = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin.invalid');
    if (control && url.pathname.startsWith(CONTROL_PREFIX)) return control(req, res, url.pathname);
    return handle(req, res, url);
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      console.error(`${name} request failed:`, error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    async close() {
      const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * @template T
 * @typedef {{ method: 'GET' | 'POST',
 *   run: (target: T, fields: Record<string, unknown>, body: unknown) => unknown }} ControlAction
 */

/**
 * A POST that changes the stand-in and answers `{ ok: true }`.
 * @template T
 * @param {(target: T, fields: Record<string, unknown>, body: unknown) => void} run
 * @returns {ControlAction<T>}
 */
export function command(run) {
  return {
    method: 'POST',
    run(target, fields, body) {
      run(target, fields, body);
      return { ok: true };
    },
  };
}

/**
 * The actions every stand-in has: read and reset its counters, set a fault.
 * @template F
 * @template {{ counters: () => unknown, resetCounters: () => void, setFault: (fault: F) => void }} T
 * @param {(body: unknown) => F} parseFault
 * @returns {Record<string, ControlAction<T>>}
 */
export function commonControls(parseFault) {
  return {
    counters: { method: 'GET', run: (target) => target.counters() },
    'reset-counters': command((target) => target.resetCounters()),
    fault: command((target, _fields, body) => target.setFault(parseFault(body))),
  };
}

/**
 * A control route over a table of actions (a GET reads, a POST takes a JSON body): 404 for an
 * unknown action, 405 for the wrong method, 400 when the action throws, else 200 with its result.
 * @template T
 * @param {Readonly<Record<string, ControlAction<T>>>} actions
 * @returns {(req: Request, res: Response, path: string, target: T) => Promise<void>}
 */
export function controlRoute(actions) {
  return async (req, res, path, target) => {
    const name = path.slice(CONTROL_PREFIX.length);
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (!action) return reply(res, 404, { error: `no control endpoint ${path}` });
    const { method } = action;
    if (req.method !== method) return reply(res, 405, { error: `${path} takes ${method}` });
    try {
      const body = method === 'POST' ? await readJson(req) : undefined;
      const fields = /** @type {Record<string, unknown>} */ (
        typeof body === 'object' && body ? body : {}
      );
      return reply(res, 200, action.run(target, fields, body));
    } catch (error) {
      return reply(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}

/**
 * A request's body as text; it stops reading past `maxBytes`.
 * @param {Request} req
 * @param {number} maxBytes
 * @returns {Promise<string | undefined>} undefined when larger than `maxBytes`
 */
export async function readBody(req, maxBytes) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** @param {Request} req */
async function readJson(req) {
  const body = await readBody(req, MAX_CONTROL_BODY_BYTES);
  if (body === undefined) throw new RangeError('control request body too large');
  const text = body.trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SyntaxError('control request body is not JSON');
  }
}

/**
 * @param {Response} res
 * @param {number} status
 * @param {unknown} body
 */
function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
