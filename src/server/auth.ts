import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Home Assistant's ingress proxy always connects from this address. */
export const INGRESS_PROXY_IP = '172.30.32.2';
const COOKIE = 'argus_token';
/** Open without a token: health checks (Docker, the Supervisor watchdog). */
const PUBLIC = new Set(['/api/health']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function presented(req: FastifyRequest): { token?: string; fromQuery: boolean } {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7), fromQuery: false };
  const query = (req.query as Record<string, unknown> | undefined)?.token;
  if (typeof query === 'string') return { token: query, fromQuery: true };
  const cookie = req.headers.cookie?.split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
  return { token: cookie?.slice(COOKIE.length + 1), fromQuery: false };
}

/** The add-on's ingress port: only Home Assistant's ingress proxy may talk to it. */
export function ingressOnlyGuard() {
  return async function guard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = req.url.split('?')[0];
    if (PUBLIC.has(path) || req.socket.remoteAddress === INGRESS_PROXY_IP) return;
    reply.code(403).send({
      error: 'This port only serves Home Assistant ingress. Open Argus from the Home Assistant sidebar, or enable server.direct_port.',
      code: 'ingress_only',
    });
  };
}

/**
 * Requests through HA ingress are trusted (HA authenticated the user); everything else needs
 * the token, as a Bearer header, `?token=` (which then sets a cookie, so links keep working) or that cookie.
 */
export function tokenGuard(token: string) {
  return async function guard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = req.url.split('?')[0];
    if (PUBLIC.has(path) || req.socket.remoteAddress === INGRESS_PROXY_IP) return;
    const { token: given, fromQuery } = presented(req);
    if (given && same(given, token)) {
      if (fromQuery) {
        reply.header('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
        // Routes validate their own query strictly; the token is the guard's business only.
        delete (req.query as Record<string, unknown>).token;
      }
      return;
    }
    reply.code(401).send({
      error: 'Argus needs its access token: open the link with ?token=… that Argus printed when it started (or use Home Assistant ingress).',
      code: 'unauthorized',
    });
  };
}
