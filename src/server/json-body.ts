import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-error.js';

/** Keys that would reach an object's prototype if a body were ever merged into one: refused, as fastify's own parser does. */
function refusePoison(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)) {
    throw new SyntaxError(`"${key}" is not allowed as a key`);
  }
  return value;
}

/**
 * Parses JSON bodies like fastify's default parser, but a malformed body is a 400 `bad_json`
 * that says where it broke (fastify's says only "not valid JSON").
 */
export function parseJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.length === 0) return done(new HttpError(400, 'bad_json', 'the body is empty but its Content-Type says JSON: send JSON, or no Content-Type'));
    try {
      done(null, JSON.parse(text, refusePoison));
    } catch (err) {
      done(new HttpError(400, 'bad_json', `malformed JSON body: ${err instanceof Error ? err.message : String(err)}`));
    }
  });
}
