import { createServer, type Server } from 'node:http';

/**
 * Inside the add-on a config error must stay readable and must not become a restart loop: the
 * Supervisor's watchdog restarts an add-on whose container stops (with any exit code) or whose
 * health URL fails, and a restart cannot fix the config. So Argus stays up and answers the
 * health check with 200 and `status: "config_error"`, and every other page (the sidebar panel)
 * with 503 and the same sentence as the log, until the user fixes the options and restarts it.
 */
export function serveConfigError(message: string, port: number, host = '0.0.0.0'): Promise<Server> {
  const page = `<!doctype html><meta charset="utf-8"><title>Argus: configuration error</title>
<body style="font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem">
<h1>Argus cannot start: its configuration has an error</h1><pre style="white-space:pre-wrap">${escapeHtml(message)}</pre>
<p>Fix it in the add-on's Configuration tab (or in /config/argus.yml), then restart the add-on.</p></body>`;
  const server = createServer((req, res) => {
    if (req.url?.split('?')[0].endsWith('/api/health')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'config_error', error: message }));
      return;
    }
    res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
