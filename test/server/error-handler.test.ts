import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { httpApp, route } from '../../src/server/app.js';
import { HttpError } from '../../src/server/http-error.js';
import { analyzeRoutes } from '../../src/server/routes/analyze.js';
import type { ApiPlugin } from '../../src/server/zod-validation.js';
import { testServer } from '../helpers/web-server.js';

const TOKEN = 'errors-token-0123456789';

/** Routes that fail in each way a real route can. */
const failing: ApiPlugin<Record<never, never>> = async (app) => {
  app.get('/bug', async () => {
    throw new Error('database handle at /data/argus.db is closed');
  });
  app.get('/refused', async () => {
    throw new HttpError(409, 'busy', 'try again later', { retry_in_s: 3 });
  });
  app.patch('/echo', async (req) => ({ got: req.body }));
};

describe('one error shape, {error, code}', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => done(void lines.push(String(chunk))) });
  const app = httpApp(createLogger('info', sink));
  void app.register(failing, { prefix: '/api/test' });
  afterAll(() => app.close());

  it('answers an unknown route with 404 not_found, without echoing the query', async () => {
    const res = await app.inject({ url: '/api/nothing/here?token=secret-token-value' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no route for GET /api/nothing/here', code: 'not_found' });
  });

  it('hides an unexpected error behind 500 internal and logs it once at error level', async () => {
    lines.length = 0;
    const res = await app.inject({ url: '/api/test/bug?token=secret-token-value' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error', code: 'internal' });
    expect(res.body).not.toContain('argus.db');
    const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string; route: string; err: { message: string } }).filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'internal error', route: 'GET /api/test/bug', err: { message: 'database handle at /data/argus.db is closed' } });
    expect(lines.join('')).not.toContain('secret-token-value');
  });

  it('sends a refusal as it is, with its details', async () => {
    const res = await app.inject({ url: '/api/test/refused' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'try again later', code: 'busy', retry_in_s: 3 });
  });

  it('answers malformed JSON with 400 bad_json and where it broke', async () => {
    const res = await app.inject({ method: 'PATCH', url: '/api/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name": "Ada",}' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_json');
    expect(res.json().error).toMatch(/^malformed JSON body: .*position \d+/);
    const empty = await app.inject({ method: 'PATCH', url: '/api/test/echo', headers: { 'content-type': 'application/json' }, payload: '' });
    expect([empty.statusCode, empty.json().code]).toEqual([400, 'bad_json']);
  });

  it('still parses good JSON, and refuses a prototype-poisoning key', async () => {
    const good = await app.inject({ method: 'PATCH', url: '/api/test/echo', payload: { name: 'Ada', tags: [1, 2] } });
    expect(good.json()).toEqual({ got: { name: 'Ada', tags: [1, 2] } });
    const poison = await app.inject({ method: 'PATCH', url: '/api/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"admin": true}}' });
    expect(poison.statusCode).toBe(400);
    expect(poison.json()).toEqual({ error: 'malformed JSON body: "__proto__" is not allowed as a key', code: 'bad_json' });
  });

  it('answers a JSON body over the limit with 413 too_large that speaks of the body, not of photos', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ external_id: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'the request body is larger than the 1 MB limit', code: 'too_large' });
  });

  it('answers a body of a type the route does not take with 415', async () => {
    const res = await app.inject({ method: 'PATCH', url: '/api/test/echo', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ error: 'PATCH /api/test/echo does not take a body of type "application/xml"', code: 'unsupported_media_type' });
  });
});

describe('the access guard and the real routes', () => {
  const server = testServer({ token: TOKEN, routes: [route(analyzeRoutes, '/api/analyze', { detector: () => undefined, maxUploadBytes: 1024 })] });
  const auth = { authorization: `Bearer ${TOKEN}` };
  afterAll(() => server.stop());

  it('refuses a missing token with 401 unauthorized and the ingress port with 403 ingress_only', async () => {
    const res = await server.app.inject({ url: '/api/cameras' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthorized');
    expect(res.json().error).toContain('?token=');
    const ingress = testServer({ token: TOKEN, listeners: [{ port: 0, host: '127.0.0.1', access: 'ingress' }] });
    const outsider = await ingress.app.inject({ url: '/api/cameras', headers: auth });
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json().code).toBe('ingress_only');
    await ingress.stop();
  });

  it('tells a browser without the token, on a page, where the token is; never the token itself', async () => {
    const where = testServer({ token: TOKEN, tokenWhere: '/data/argus/access-token' });
    const page = await where.app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.statusCode).toBe(401);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('the token is in /data/argus/access-token');
    expect(page.body).not.toContain(TOKEN);
    const api = await where.app.inject({ url: '/api/cameras', headers: { accept: 'text/html' } });
    expect(api.json()).toMatchObject({ code: 'unauthorized', error: expect.stringContaining('/data/argus/access-token') });
    await where.stop();
  });

  it('takes ?token= on a page once: a cookie for 30 days, and the page again without the token in its address', async () => {
    const res = await server.app.inject({ url: `/?token=${TOKEN}&x=1`, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/?x=1');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^argus_token=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=2592000$/);
    const again = await server.app.inject({ url: '/?x=1', headers: { accept: 'text/html', cookie: cookie.split(';')[0] } });
    expect(again.statusCode).toBe(200);
    // the API with ?token= answers at once, as scripts expect
    const api = await server.app.inject({ url: `/api/cameras?token=${TOKEN}` });
    expect(api.statusCode).toBe(200);
  });

  it('refuses a change sent with the cookie from another origin, another port of the same host included (cross-site request forgery)', async () => {
    const cookie = `argus_token=${TOKEN}`;
    const post = (headers: Record<string, string>) => server.app.inject({ method: 'POST', url: '/api/analyze', headers: { host: '127.0.0.1:8099', ...headers }, payload: '' });
    const refused: Record<string, string>[] = [{ 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'http://127.0.0.1:8123' }, { origin: 'null' }];
    for (const from of refused) {
      const res = await post({ cookie, ...from });
      expect(res.statusCode, JSON.stringify(from)).toBe(403);
      expect(res.json().code).toBe('cross_origin');
    }
    // Argus' own pages, a script with the token, and reading are let through (then the route answers: no models here)
    const allowed: Record<string, string>[] = [
      { cookie, 'sec-fetch-site': 'same-origin' },
      { cookie, origin: 'http://127.0.0.1:8099' },
      { cookie },
      { ...auth, 'sec-fetch-site': 'cross-site' },
    ];
    for (const ok of allowed) {
      expect((await post(ok)).statusCode, JSON.stringify(ok)).not.toBe(403);
    }
    const read = await server.app.inject({ url: '/api/cameras', headers: { cookie, 'sec-fetch-site': 'same-site' } });
    expect(read.statusCode).toBe(200);
  });

  it('sends the browser on to a page of its own, never to another host (`//evil.example/?token=…`)', async () => {
    for (const url of [`//evil.example/?token=${TOKEN}`, `/\\evil.example/?token=${TOKEN}`, `///evil.example/x?token=${TOKEN}&y=2`]) {
      const res = await server.app.inject({ url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(303);
      expect(String(res.headers.location), url).toMatch(/^\/(?![/\\])/);
    }
  });

  it('answers 404 with a code for an unknown route, an unknown camera and a missing UI file', async () => {
    for (const [url, code] of [
      ['/api/nope', 'not_found'],
      ['/api/cameras/nope', 'camera_not_found'],
      ['/ui/nope.js', 'not_found'],
    ]) {
      const res = await server.app.inject({ url, headers: auth });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code, url).toBe(code);
      expect(typeof res.json().error, url).toBe('string');
    }
  });

  it('answers a body type no parser takes on /api/analyze with 415', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/analyze', headers: { ...auth, 'content-type': 'application/pdf' }, payload: 'hello' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it('says so with 503 models_missing while the models are not loaded', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/analyze', headers: { ...auth, 'content-type': 'image/png' }, payload: Buffer.alloc(10) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'the models are not loaded: run "argus models build" and restart', code: 'models_missing' });
  });

  it('refuses a path parameter out of bounds with 400 bad_request naming it', async () => {
    const res = await server.app.inject({ url: `/api/cameras/${'x'.repeat(80)}`, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_request');
    expect(res.json().error).toMatch(/^bad path: name: /);
    // Past fastify's router limit (100 characters) the router itself refuses, in the same shape.
    const huge = await server.app.inject({ url: `/api/cameras/${'x'.repeat(300)}`, headers: auth });
    expect(huge.statusCode).toBe(414);
    expect(huge.json()).toMatchObject({ code: 'too_long' });
  });
});
