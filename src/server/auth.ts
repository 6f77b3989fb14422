import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignedFile, SnapshotSigner } from './snapshot-signer.js';
import { WrongTokens } from './wrong-tokens.js';

/** Home Assistant's ingress proxy always connects from this address. */
export const INGRESS_PROXY_IP = '172.30.32.2';
const COOKIE = 'argus_token';
/** Open without a token: health checks (Docker, the Supervisor watchdog). */
const PUBLIC = new Set(['/api/health']);
/**
 * Posts that carry a credential of their own instead: Telegram's updates, with the random secret
 * Argus registered (checked by the route). Its URL needs no token, which Telegram would keep and
 * show to anyone holding the bot token (getWebhookInfo).
 */
const OWN_CREDENTIAL = new Set(['/api/telegram/webhook']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function presented(req: FastifyRequest): { token?: string; fromQuery: boolean; fromCookie?: boolean } {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7), fromQuery: false };
  const query = (req.query as Record<string, unknown> | undefined)?.token;
  if (typeof query === 'string') return { token: query, fromQuery: true };
  const cookie = req.headers.cookie?.split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
  return { token: cookie?.slice(COOKIE.length + 1), fromQuery: false, fromCookie: cookie !== undefined };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A change asked by a page of another origin, which the browser sent the cookie with: the cookie
 * is SameSite=Strict, but a site is the host, so any other port of it (HA's own, another add-on's
 * page) could post a face as a named person. The browser says where a request comes from
 * (`Sec-Fetch-Site`; older ones `Origin`); a request that says nothing (a script) is no browser's.
 */
function crossOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // `Origin: null` (a sandboxed frame, a file page)
  }
}

/** The only routes a signed URL opens: one event's snapshot or crop. */
const SIGNED_ROUTE = /^\/api\/events\/([^/]+)\/(snapshot\.jpg|crop\.jpg)$/;

/**
 * A signed snapshot URL (`?exp=…&sig=…`, docs/api.md): `allow` when it is valid for exactly
 * this event and file and not expired, a refusal when it is signed but wrong or stale, and
 * `none` for every other request (which then needs the token as before).
 */
function signedAccess(req: FastifyRequest, path: string, signer: SnapshotSigner | undefined): 'allow' | 'none' | { code: string; error: string } {
  const query = req.query as Record<string, unknown> | undefined;
  if (!signer || (query?.sig === undefined && query?.exp === undefined)) return 'none';
  const m = SIGNED_ROUTE.exec(path);
  if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return 'none';
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return 'none';
  }
  const check = signer.verify(id, m[2] as SignedFile, String(query?.exp ?? ''), String(query?.sig ?? ''));
  if (check.ok) return 'allow';
  return check.code === 'signature_expired'
    ? { code: check.code, error: 'This snapshot link has expired (server.snapshot_url_ttl); open the event in Argus instead.' }
    : { code: check.code, error: 'This snapshot link is not valid for this picture: it was changed or belongs to another event.' };
}

/** Lets a signed snapshot URL through (true), refuses a bad one (replied), or leaves the request to the guard (false). */
function handledBySignature(req: FastifyRequest, reply: FastifyReply, path: string, signer?: SnapshotSigner): boolean {
  const access = signedAccess(req, path, signer);
  if (access === 'none') return false;
  if (access !== 'allow') reply.code(403).send(access);
  return true;
}

/** The add-on's ingress port: only Home Assistant's ingress proxy may talk to it (and signed snapshot URLs, for HA core). */
export function ingressOnlyGuard(signer?: SnapshotSigner) {
  return async function guard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = req.url.split('?')[0];
    if (PUBLIC.has(path) || req.socket.remoteAddress === INGRESS_PROXY_IP) return;
    if (handledBySignature(req, reply, path, signer)) return;
    reply.code(403).send({
      error: 'This port only serves Home Assistant ingress. Open Argus from the Home Assistant sidebar, or enable server.direct_port.',
      code: 'ingress_only',
    });
  };
}

/** How long the cookie `?token=` sets keeps a browser in (30 days), so a bookmark works after a restart of the browser. */
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;

/** A browser asking for a page (not the API, not a script): it gets pages, and is sent on without the token in its address. */
const browsing = (req: FastifyRequest, path: string) => req.method === 'GET' && !path.startsWith('/api/') && /text\/html/.test(req.headers.accept ?? '');

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * Every request needs the token (ingress has its own port and guard, ingressOnlyGuard: the
 * Supervisor's address is no credential here, where anyone on a Docker network or a LAN may hold
 * it), as a Bearer header, `?token=` (which then sets a cookie, so links keep working) or that cookie.
 * A signed snapshot URL opens its one picture without the token. `where`: where the token is
 * kept (its file, or `server.token`), said to whoever arrives without it; never the token.
 */
export function tokenGuard(token: string, signer?: SnapshotSigner, where = "the data folder's access-token file", wrongTokens = new WrongTokens()) {
  const refusal = `Argus needs its access token: open the link with ?token=… that Argus printed when it started, or add ?token=<token> to this address (the token is in ${where}).`;
  return async function guard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = req.url.split('?')[0];
    if (PUBLIC.has(path) || (req.method === 'POST' && OWN_CREDENTIAL.has(path))) return;
    if (handledBySignature(req, reply, path, signer)) return;
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = wrongTokens.waitFor(address);
    if (wait > 0) {
      reply
        .code(429)
        .header('retry-after', String(Math.ceil(wait / 1000)))
        .send({ error: `Too many wrong access tokens from this address: try again in ${Math.ceil(wait / 1000)} s.`, code: 'too_many_wrong_tokens' });
      return;
    }
    const { token: given, fromQuery, fromCookie } = presented(req);
    if (given && same(given, token)) return admit(req, reply, path, token, { fromQuery, fromCookie });
    if (given) wrongTokens.wrong(address);
    if (browsing(req, path)) {
      reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Argus: access token needed</title><p>${escapeHtml(refusal)}</p>`);
      return;
    }
    reply.code(401).send({ error: refusal, code: 'unauthorized' });
  };
}

/** A request with the right token: on it goes, unless a cross-origin page sent it; a page asked with `?token=` is asked again without. */
function admit(req: FastifyRequest, reply: FastifyReply, path: string, token: string, how: { fromQuery: boolean; fromCookie?: boolean }): void {
  if (how.fromCookie && !READS.has(req.method) && crossOrigin(req)) {
    reply.code(403).send({ error: 'Argus refuses changes asked by another site or port: make them in Argus itself.', code: 'cross_origin' });
    return;
  }
  if (!how.fromQuery) return;
  reply.header('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${COOKIE_MAX_AGE_S}`);
  // A page is asked for again without the token, so it stays out of the address bar, the history and copied links.
  if (browsing(req, path)) {
    const rest = new URLSearchParams(req.url.slice(path.length + 1));
    rest.delete('token');
    const query = rest.toString();
    // One leading slash: `//evil.example/?token=…` would send the browser to another host.
    const here = `/${path.replace(/^[/\\]+/, '')}`;
    reply
      .code(303)
      .header('location', query ? `${here}?${query}` : here)
      .send();
    return;
  }
  // Routes validate their own query strictly; the token is the guard's business only.
  delete (req.query as Record<string, unknown>).token;
}
