import { type Agent, request } from 'node:http';

/** POSTs a JSON body with a bearer token and answers the status once the whole response is read (and dropped). */
export function postJson(agent: Agent, url: string, token: string, body: object): Promise<number> {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        // The body is read in full (as a client would) and dropped.
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
