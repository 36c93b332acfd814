/**
 * Plain-fetch IMDSv2 calls for tests that check the wire, not an SDK's reading of it.
 * @param {string} baseUrl e.g. the simulator's `url`
 */
export function imdsHttp(baseUrl) {
  /**
   * @param {string | undefined} ttlSeconds sent as-is, so tests can send bad values
   * @param {Record<string, string>} [headers]
   */
  const putToken = (ttlSeconds, headers = {}) =>
    fetch(`${baseUrl}/latest/api/token`, {
      method: 'PUT',
      headers: {
        ...(ttlSeconds === undefined ? {} : { 'x-aws-ec2-metadata-token-ttl-seconds': ttlSeconds }),
        ...headers,
      },
    });

  /** A fresh token; throws unless the simulator answered 200. */
  const token = async (ttlSeconds = 60) => {
    const response = await putToken(String(ttlSeconds));
    if (response.status !== 200) throw new Error(`token PUT answered ${response.status}`);
    return response.text();
  };

  /**
   * @param {string} path
   * @param {string} [sessionToken]
   * @param {RequestInit & { headers?: Record<string, string> }} [init]
   */
  const get = (path, sessionToken, init = {}) =>
    fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        ...(sessionToken === undefined ? {} : { 'x-aws-ec2-metadata-token': sessionToken }),
        ...init.headers,
      },
    });

  return { putToken, token, get };
}
