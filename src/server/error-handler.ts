import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { megabytes, type ErrorBody } from './http-error.js';

/** The code a client error gets when nothing more precise is known: its status, as a word. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'timeout',
  409: 'conflict',
  413: 'too_large',
  414: 'too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  431: 'too_large',
};

interface Refusal {
  status: number;
  body: ErrorBody;
}

const refusal = (status: number, code: string, error: string): Refusal => ({ status, body: { error, code } });

/** Fastify's own refusals (body parsing), reworded into sentences a user can act on. Malformed JSON: json-body.ts. */
function fastifyRefusal(err: FastifyError, req: FastifyRequest): Refusal | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return refusal(413, 'too_large', `the request body is larger than the ${megabytes(req.routeOptions.bodyLimit)} limit`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return refusal(415, 'unsupported_media_type', `${req.method} ${req.routeOptions.url ?? 'this route'} does not take a body of type "${req.headers['content-type'] ?? ''}"`);
  }
  return undefined;
}

function detailsOf(err: unknown): Record<string, unknown> {
  const details = (err as { details?: unknown }).details;
  return details && typeof details === 'object' ? (details as Record<string, unknown>) : {};
}

/**
 * What to answer for an error. Errors that carry a `statusCode` and a `code` of our own
 * (`HttpError`, `RegistryError`) are refusals and go out as they are; anything else is a bug.
 */
export function refusalOf(err: FastifyError, req: FastifyRequest): Refusal | undefined {
  const fromFastify = fastifyRefusal(err, req);
  if (fromFastify) return fromFastify;
  const status = err.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 599) return undefined;
  const ours = typeof err.code === 'string' && !err.code.startsWith('FST_');
  if (ours) return { status, body: { error: err.message, code: err.code, ...detailsOf(err) } };
  if (status >= 500) return undefined;
  return refusal(status, CODE_OF_STATUS[status] ?? 'bad_request', err.message);
}

/** Sends the answer for an error; also fastify's `frameworkErrors` (bad URLs, over-long path parameters). */
export function sendError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = refusalOf(err, req);
  if (known) {
    const headers = (err as { headers?: unknown }).headers;
    if (headers && typeof headers === 'object') reply.headers(headers as Record<string, string>);
    return reply.code(known.status).send(known.body);
  }
  // The route pattern, not the URL: a URL may carry ?token=.
  req.log.error({ err, route: `${req.method} ${req.routeOptions.url ?? '(none)'}` }, 'internal error');
  return reply.code(500).send({ error: 'internal error', code: 'internal' } satisfies ErrorBody);
}

/** One error shape, `{ error, code }`, for every route and for fastify's own refusals and 404s. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0].slice(0, 200);
    return reply.code(404).send({ error: `no route for ${req.method} ${path}`, code: 'not_found' } satisfies ErrorBody);
  });
}
