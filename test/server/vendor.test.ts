import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { vendorRoutes } from '../../src/server/routes/vendor.js';

describe('GET /ui/vendor/…', () => {
  const app = httpApp(silentLogger());
  void app.register(vendorRoutes, { prefix: '/ui/vendor' });
  afterAll(() => app.close());

  it("serves uPlot's ES module and stylesheet from node_modules", async () => {
    const js = await app.inject({ url: '/ui/vendor/uplot/uPlot.esm.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    expect(js.body).toMatch(/export \{ uPlot as default \}|export default/);
    const css = await app.inject({ url: '/ui/vendor/uplot/uPlot.min.css' });
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.body).toContain('.uplot');
  });

  it('serves nothing else from node_modules', async () => {
    for (const url of [
      '/ui/vendor/uplot/package.json',
      '/ui/vendor/uplot/..%2F..%2Fpackage.json',
      '/ui/vendor/sharp/index.js',
      // names of Object's prototype: a 404, not a 500 and a stack in the log
      '/ui/vendor/__proto__/x',
      '/ui/vendor/constructor/x',
      '/ui/vendor/uplot/constructor',
      '/ui/vendor/uplot/__proto__',
    ]) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
  });
});
