import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { SnapshotStore } from '../../src/events/snapshot-store.js';
import { silentLogger } from '../../src/log.js';
import { route, WebServer } from '../../src/server/app.js';
import { eventRoutes } from '../../src/server/routes/events.js';
import { snapshotLinks } from '../../src/server/snapshot-links.js';
import { snapshotKey, SnapshotSigner } from '../../src/server/snapshot-signer.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { sampleEvent } from '../events/event-harness.js';

const TOKEN = 'a-token-of-twenty-chars';

describe('signed snapshot URLs against the server, over loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-signed-'));
  const store = new EventStore(openDatabase(join(dir, 'argus.db')));
  const snapshots = new SnapshotStore(join(dir, 'snapshots'));
  let now = 1_800_000_000_000;
  const signer = new SnapshotSigner(snapshotKey(dir), () => now);
  const links = snapshotLinks({ signer, ttlSeconds: 3600, publicUrl: 'http://placeholder:1/' });
  const a = sampleEvent(1, { snapshot: `events/${sampleEvent(1).id}/snapshot.jpg` });
  const b = sampleEvent(2, { snapshot: `events/${sampleEvent(2).id}/snapshot.jpg` });
  const server = new WebServer({
    listeners: [{ port: 0, host: '127.0.0.1', access: 'token' }],
    token: TOKEN,
    signer,
    cameras: new Map(),
    health: { version: '9.9.9', mqttConnected: () => true, cameraCount: () => 0 },
    logger: silentLogger(),
    routes: [route(eventRoutes, '/api/events', { store, snapshots, kinds: new EventKinds(ANALYZERS).names })],
  });
  let base = '';
  /** The signed link as Argus hands it out, pointed at this server's real port. */
  const linkOf = (ev: typeof a, file: 'snapshot.jpg' | 'crop.jpg' = 'snapshot.jpg') => links(ev, file)!.replace('http://placeholder:1', base);

  beforeAll(async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0f0' } })
      .jpeg()
      .toBuffer();
    for (const ev of [a, b]) {
      store.save(ev);
      await snapshots.save(ev.id, { annotated: jpeg, crop: jpeg });
    }
    const [port] = await server.start();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server.stop());

  it('keeps its key in the data dir, readable by its owner only, and the same across restarts', () => {
    expect(statSync(join(dir, 'snapshot-key')).mode & 0o777).toBe(0o600);
    expect(snapshotKey(dir).equals(snapshotKey(dir))).toBe(true);
  });

  it('opens the picture without the token while valid, and the link carries no token', async () => {
    const url = linkOf(a);
    expect(url).toMatch(new RegExp(`^${base}/api/events/${a.id}/snapshot\\.jpg\\?exp=\\d+&sig=[0-9a-f]{64}$`));
    expect(url).not.toContain(TOKEN);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(res.headers.get('set-cookie')).toBeNull();
    // The same picture without a signature still needs the token.
    expect((await fetch(url.split('?')[0])).status).toBe(401);
    // A crop link opens the crop.
    expect((await fetch(linkOf(a, 'crop.jpg'))).status).toBe(200);
  });

  it('refuses an expired link with {error, code}', async () => {
    const url = linkOf(a);
    now += 3601_000;
    try {
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'signature_expired', error: expect.stringMatching(/expired/) });
    } finally {
      now -= 3601_000;
    }
  });

  it('refuses a tampered signature or expiry', async () => {
    const url = new URL(linkOf(a));
    const sig = url.searchParams.get('sig')!;
    const flipped = new URL(url);
    flipped.searchParams.set('sig', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    const later = new URL(url);
    later.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 86_400));
    const short = new URL(url);
    short.searchParams.set('sig', sig.slice(0, 10));
    for (const u of [flipped, later, short]) {
      const res = await fetch(u);
      expect(res.status, u.href).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'signature_invalid', error: expect.any(String) });
    }
  });

  it("refuses event A's signature on event B, and a snapshot signature on the crop", async () => {
    const forA = new URL(linkOf(a));
    const onB = `${base}/api/events/${b.id}/snapshot.jpg${forA.search}`;
    const res = await fetch(onB);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('signature_invalid');
    expect((await fetch(`${base}/api/events/${a.id}/crop.jpg${forA.search}`)).status).toBe(403);
  });

  it('opens no other route with a valid signature', async () => {
    const { search } = new URL(linkOf(a));
    for (const path of [`/api/events/${a.id}`, '/api/events', '/api/cameras', '/', `/api/events/${a.id}/snapshot.jpg/../../${a.id}`]) {
      const res = await fetch(`${base}${path}${search}`);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorized' });
    }
    const del = await fetch(`${base}/api/events/${a.id}/snapshot.jpg${search}`, { method: 'DELETE' });
    expect(del.status).toBe(401);
  });
});
