/**
 * Small HTTP questions to one etcd member (`/health`, maintenance status), with Node's own `http`
 * and no connection pooling: a probe must not depend on the client under test, and a socket left
 * in a pool would keep a test process alive or reach a member that was restarted since.
 */
import * as http from 'http';
import * as https from 'https';
import { TlsFiles } from './test-certificates';

/** An answer: status code and body text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * One request, given up (socket destroyed) after `timeoutMs`: a frozen member accepts the
 * connection and then never answers, so only a timeout ends the wait.
 * @example const { status, body } = await httpRequest('http://127.0.0.1:2379/health', { timeoutMs: 1000 })
 */
export function httpRequest(url: string, init: { method?: 'GET' | 'POST'; body?: string; timeoutMs: number; tls?: TlsFiles }): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    const options = {
      method: init.method ?? 'GET',
      agent: false as const,
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': body.length },
    };
    const request = url.startsWith('https:') ? https.request(url, { ...options, ...init.tls }) : http.request(url, options);
    const timer = setTimeout(() => request.destroy(new Error(`no answer from ${url} within ${init.timeoutMs} ms`)), init.timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error.message.includes(url) ? error : new Error(`${url}: ${error.message}`));
    };
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(body);
  });
}

/**
 * A POST of `body` as JSON to `path` of the member at `baseUrl`, answering the parsed JSON.
 * @throws when the status is not 2xx (the message quotes the body) or there is no answer in time
 * @example await postJson('http://127.0.0.1:2379', '/v3/kv/put', { key: b64('k'), value: b64('v') }, 2000)
 */
export async function postJson(baseUrl: string, path: string, body: unknown, timeoutMs: number, tls?: TlsFiles): Promise<unknown> {
  const answer = await httpRequest(baseUrl + path, { method: 'POST', body: JSON.stringify(body), timeoutMs, tls });
  if (answer.status < 200 || answer.status > 299) throw new Error(`${baseUrl}${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as unknown;
}

/**
 * Resolves when the member answers `GET /health` with `{"health":"true"}` within `timeoutMs`.
 * @throws with what it answered instead, or why it did not
 * @example await checkHealth('http://127.0.0.1:2379', 1000)
 */
export async function checkHealth(baseUrl: string, timeoutMs: number, tls?: TlsFiles): Promise<void> {
  const answer = await httpRequest(`${baseUrl}/health`, { timeoutMs, tls });
  let health: unknown;
  try {
    health = (JSON.parse(answer.body) as { health?: unknown }).health;
  } catch {
    health = undefined;
  }
  if (answer.status !== 200 || health !== 'true') throw new Error(`${baseUrl}/health answered ${answer.status}: ${answer.body.trim()}`);
}

/** What a member says about itself in `POST /v3/maintenance/status`. IDs are decimal strings. */
export interface EtcdMemberStatus {
  /** This member's ID. */
  memberId: string;
  /** The ID of the leader it follows (its own when it leads); undefined while it knows none. */
  leaderId: string | undefined;
  /** The raft term it is in. */
  raftTerm: string;
}

/**
 * Asks one member for its status.
 * @example const { memberId, leaderId } = await memberStatus('http://127.0.0.1:2379', 1000)
 */
export async function memberStatus(baseUrl: string, timeoutMs: number, tls?: TlsFiles): Promise<EtcdMemberStatus> {
  const answer = (await postJson(baseUrl, '/v3/maintenance/status', {}, timeoutMs, tls)) as {
    header?: { member_id?: unknown };
    leader?: unknown;
    raftTerm?: unknown;
  };
  const memberId = answer.header?.member_id;
  if (typeof memberId !== 'string') throw new Error(`${baseUrl}/v3/maintenance/status answered no header.member_id`);
  // proto3 leaves out a zero leader: "no leader known".
  const leaderId = typeof answer.leader === 'string' && answer.leader !== '0' ? answer.leader : undefined;
  return { memberId, leaderId, raftTerm: typeof answer.raftTerm === 'string' ? answer.raftTerm : '0' };
}
