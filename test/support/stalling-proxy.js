// An HTTP proxy in front of an AWS stand-in that can stall on demand, so a test can make DynamoDB
// or S3 answer later than the SDK's timeouts, or not at all, over real sockets.
import { passOn, startHttpProxy } from './http-proxy.js';

/**
 * Modes: 'pass' forwards everything; 'slow' forwards the request at once (so writes land) but holds
 * the answer until the mode changes; 'hang' forwards nothing and never answers.
 * @param {string} upstream the stand-in's endpoint, http://127.0.0.1:<port>
 */
export async function startStallingProxy(upstream) {
  /** @type {'pass' | 'slow' | 'hang'} */
  let mode = 'pass';
  /** @type {Array<() => void>} */
  let held = [];
  let stalled = 0;
  const proxy = await startHttpProxy(upstream, (req, res, forward) => {
    if (mode === 'hang') {
      stalled += 1;
      req.resume();
      held.push(() => res.destroy());
      return;
    }
    const slow = mode === 'slow';
    if (slow) stalled += 1;
    const request = forward((upstreamRes) => {
      const answer = () => {
        if (res.destroyed) return void upstreamRes.resume();
        passOn(upstreamRes, res);
      };
      if (slow) held.push(answer);
      else answer();
    });
    req.pipe(request);
  });
  return {
    endpoint: proxy.endpoint,
    /** How many requests were slowed or swallowed so far. */
    get stalled() {
      return stalled;
    },
    /** @param {'pass' | 'slow' | 'hang'} next */
    setMode(next) {
      mode = next;
      if (next !== 'pass') return;
      // Late answers go out now, to clients that most likely gave up already.
      const release = held;
      held = [];
      for (const go of release) go();
    },
    close: proxy.close,
  };
}
