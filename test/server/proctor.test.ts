import { describe, expect, it } from 'vitest';
import { ProctorSessions } from '../../src/analyzers/proctor/sessions.js';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { proctorRoutes } from '../../src/server/routes/proctor.js';

describe('POST /api/proctor/sessions', () => {
  let clock = 1_700_000_000_000;
  const sessions = new ProctorSessions(() => clock);
  const app = httpApp(silentLogger());
  void app.register(proctorRoutes, { prefix: '/api/proctor', sessions, cameras: ['exam', 'door'], proctored: ['exam'] });
  const post = (body: object) => app.inject({ method: 'POST', url: '/api/proctor/sessions', payload: body });

  it('starts a session once, stops it, and lists both ends', async () => {
    const started = await post({ camera: 'exam', action: 'start', name: 'Maths' });
    expect(started.statusCode).toBe(201);
    expect(started.json()).toMatchObject({ camera: 'exam', name: 'Maths', ended_at: null });
    expect(sessions.active('exam')?.id).toBe(started.json().id);
    expect((await post({ camera: 'exam', action: 'start' })).statusCode).toBe(200);
    clock += 60_000;
    const stopped = await post({ camera: 'exam', action: 'stop' });
    expect(stopped.json()).toMatchObject({ id: started.json().id, ended_at: new Date(clock).toISOString() });
    expect(sessions.active('exam')).toBeNull();
    expect((await app.inject({ url: '/api/proctor/sessions' })).json()).toHaveLength(1);
  });

  it('refuses with {error, code}: unknown camera, camera not proctored, nothing to stop, bad body', async () => {
    const cases: Array<[object, number, string]> = [
      [{ camera: 'attic', action: 'start' }, 404, 'camera_not_found'],
      [{ camera: 'door', action: 'start' }, 409, 'proctor_off'],
      [{ camera: 'exam', action: 'stop' }, 409, 'no_session'],
      [{ camera: 'exam', action: 'pause' }, 400, 'bad_request'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(body);
      expect([r.statusCode, r.json().code]).toEqual([status, code]);
      expect(typeof r.json().error).toBe('string');
    }
  });
});
