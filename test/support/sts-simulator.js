// Our STS stand-in (node:http only): AssumeRole and GetCallerIdentity over the query protocol,
// every request's SigV4 signature checked against the secret the caller holds, role chaining's
// 1-hour limit, recorded calls, faults. Also runnable on its own: see sts-simulator-cli.js.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { readBody, startStandinServer } from './standin-server.js';
import { assumeRole, getCallerIdentity, readAssumeRole } from './sts-actions.js';
import { handleStsControl } from './sts-control.js';
import { createStsFaultSwitch, stsFaultReply } from './sts-faults.js';
import { createPrincipalStore } from './sts-principals.js';
import { requestRecord } from './sts-request-log.js';
import { verifySignature } from './sts-sigv4.js';
import { runStsSimulatorCli } from './sts-simulator-cli.js';
import { errorReply } from './sts-xml.js';

/**
 * @typedef {import('./sts-faults.js').StsFault} StsFault
 * @typedef {import('./sts-principals.js').TrustedKey} TrustedKey
 * @typedef {import('./sts-principals.js').Caller} Caller
 * @typedef {import('./sts-actions.js').AssumeRoleRecord} AssumeRoleRecord
 * @typedef {import('./sts-request-log.js').StsRequestRecord} StsRequestRecord
 * @typedef {import('./sts-xml.js').StsReply} StsReply
 * @typedef {{ total: number, byAction: Record<string, number>, byStatus: Record<string, number>,
 *   byCode: Record<string, number> }} StsCounters
 * @typedef {{ port?: number, now?: () => number, roles?: string[], trusted?: TrustedKey[],
 *   trustedSource?: () => TrustedKey[] | Promise<TrustedKey[]>,
 *   issueKeyIds?: Record<string, string>, controlEndpoints?: boolean }} StsSimulatorOptions
 * @typedef {{ url: string, port: number, trust: (key: TrustedKey) => Caller,
 *   createUser: (arn: string) => TrustedKey, setFault: (fault: StsFault) => void,
 *   counters: () => StsCounters, resetCounters: () => void,
 *   assumeRoleCalls: () => AssumeRoleRecord[], requests: () => StsRequestRecord[],
 *   close: () => Promise<void> }} StsSimulator
 */

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts the stand-in on 127.0.0.1. `roles` limits which role ARNs may be assumed (any when
 * absent); `trusted` are keys it accepts from the start; `trustedSource` is asked for more when
 * an unknown key signs a request (e.g. imdsTrustedSource: the instance role's current keys).
 * `issueKeyIds` maps role ARNs to the key id their sessions get (s3rver accepts only its own).
 * @param {StsSimulatorOptions} [options]
 * @returns {Promise<StsSimulator>}
 */
export async function startStsSimulator(options = {}) {
  const now = options.now ?? Date.now;
  const store = createPrincipalStore({ now });
  for (const key of options.trusted ?? []) store.trust(key);
  const roles = options.roles ? new Set(options.roles) : undefined;
  /** @param {string} accessKeyId */
  const lookup = async (accessKeyId) => {
    const known = store.lookup(accessKeyId);
    if (known || !options.trustedSource) return known;
    try {
      for (const key of await options.trustedSource()) store.trust(key);
    } catch (error) {
      // An unreachable source leaves the key unknown: the caller gets InvalidClientTokenId.
      console.error('sts simulator: trusted source failed:', error);
    }
    return store.lookup(accessKeyId);
  };
  const faults = createStsFaultSwitch();
  /** @type {StsCounters} */
  let counters = { total: 0, byAction: {}, byStatus: {}, byCode: {} };
  /** @type {AssumeRoleRecord[]} */
  let calls = [];
  /** @type {StsRequestRecord[]} */
  let requests = [];
  const context = {
    store,
    now,
    canAssume: (/** @type {Caller} */ _caller, /** @type {string} */ roleArn) =>
      !roles || roles.has(roleArn),
    ...(options.issueKeyIds ? { issueKeyIds: options.issueKeyIds } : {}),
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {URL} url
   */
  async function handle(req, res, url) {
    counters.total += 1;
    /** @param {StsReply} reply */
    const send = (reply) => {
      counters.byStatus[reply.status] = (counters.byStatus[reply.status] ?? 0) + 1;
      if (reply.code) counters.byCode[reply.code] = (counters.byCode[reply.code] ?? 0) + 1;
      res.writeHead(reply.status, {
        'content-type': 'text/xml',
        'x-amzn-requestid': reply.requestId,
        date: new Date(now()).toUTCString(),
      });
      res.end(reply.body);
    };
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined)
      return send(errorReply(413, 'RequestEntityTooLarge', 'Request too large'));
    if (req.method !== 'POST' || url.pathname !== '/') {
      return send(errorReply(400, 'InvalidAction', 'The stand-in takes POST / with a form body'));
    }
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    counters.byAction[action] = (counters.byAction[action] ?? 0) + 1;
    const fault = faults.take(action);
    if (fault?.kind === 'down') {
      req.socket.destroy();
      return;
    }
    const verdict = await verifySignature(
      {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      },
      lookup,
      now(),
    );
    // Every signature checked is recorded with the answer it got (faults and refusals too).
    const record = requestRecord({ action, headers: req.headers, verdict, atMs: now() });
    requests.push(record);
    /** @param {StsReply} reply */
    const answer = (reply) => {
      record.outcome = reply.code ?? 'ok';
      send(reply);
    };
    if (!verdict.ok) return answer(verdict.reply);
    const { caller } = verdict;
    if (action === 'GetCallerIdentity')
      return answer(fault ? stsFaultReply(fault, caller, action) : getCallerIdentity(caller));
    if (action !== 'AssumeRole') {
      return answer(
        errorReply(
          400,
          'InvalidAction',
          `Could not find operation ${action} for version 2011-06-15`,
        ),
      );
    }
    const call = readAssumeRole(form, caller, now());
    calls.push(call);
    const reply = fault
      ? stsFaultReply(fault, caller, action, call.roleArn)
      : assumeRole(call, caller, context);
    call.outcome = reply.code ?? 'ok';
    answer(reply);
  }

  const server = await startStandinServer({
    name: 'sts simulator',
    port: options.port,
    handle,
    control: options.controlEndpoints
      ? (req, res, path) => handleStsControl(req, res, path, sim)
      : undefined,
  });

  /** @type {StsSimulator} */
  const sim = {
    ...server,
    trust: (key) => store.trust(key),
    createUser(arn) {
      // A long-term key id, built at run time so no key-shaped literal lives in the repo.
      const key = {
        accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
        secretAccessKey: randomBytes(30).toString('base64'),
        arn,
      };
      store.trust(key);
      return key;
    },
    setFault: (fault) => faults.set(fault),
    counters: () => structuredClone(counters),
    resetCounters() {
      counters = { total: 0, byAction: {}, byStatus: {}, byCode: {} };
      calls = [];
      requests = [];
    },
    assumeRoleCalls: () => structuredClone(calls),
    requests: () => structuredClone(requests),
  };
  return sim;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStsSimulatorCli(process.argv.slice(2), startStsSimulator).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
