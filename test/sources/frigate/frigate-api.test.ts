import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrigateApi } from '../../../src/sources/frigate/frigate-api.js';
import { FrigateStandIn } from '../../helpers/frigate-api.js';

describe("Frigate's API behind a proxy that asks for a password", () => {
  let frigate: FrigateStandIn;
  beforeAll(async () => {
    frigate = await FrigateStandIn.start();
    frigate.cameras = ['porch'];
    frigate.basicAuth = 'argus:p@ss:word';
    frigate.addEvent('1.2-abc', Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  });
  afterAll(() => frigate?.stop());

  const api = (url: string) => new FrigateApi({ url, attempts: 1, retryMs: 0 });
  const withUser = (user: string) => frigate.url.replace('//', `//${user}@`);

  it('sends the user and password of frigate.url as Basic auth (fetch refuses a URL that holds them)', async () => {
    const frigateApi = api(withUser('argus:p%40ss%3Aword'));
    expect(await frigateApi.cameraNames()).toEqual(['porch']);
    expect((await frigateApi.snapshot('1.2-abc')).length).toBe(4);
    await frigateApi.setSubLabel('1.2-abc', 'Ada');
    expect(frigate.subLabels).toEqual([{ id: '1.2-abc', subLabel: 'Ada' }]);
  });

  it('says what to do when Frigate refuses, and never shows the password', async () => {
    const err = await api(withUser('argus:wrong-pw'))
      .cameraNames()
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/refused Argus \(HTTP 401\): give its user name and password in frigate\.url/);
    expect(String(err)).not.toContain('wrong-pw');
    await expect(api(frigate.url).cameraNames()).rejects.toThrow(/HTTP 401/);
  });

  it('says the same when a snapshot is refused, without asking again', async () => {
    const before = frigate.snapshotRequests.length;
    const err = await new FrigateApi({ url: frigate.url, attempts: 3, retryMs: 0 }).snapshot('1.2-abc').catch((e: Error) => e);
    expect(String(err)).toMatch(/after 1 try \(HTTP 401: Frigate refused Argus; give its user name and password in frigate\.url/);
    expect(frigate.snapshotRequests.length - before).toBeLessThanOrEqual(1);
  });

  it("reads each camera's detect size, which event boxes are drawn on", async () => {
    const frigateApi = api(withUser('argus:p%40ss%3Aword'));
    await frigateApi.cameraNames();
    expect(frigateApi.detectSizes.get('porch')).toEqual({ width: 1280, height: 720 });
  });
});
