import { ERR_CANNOT_CONNECT, ERR_INVALID_AUTH, type HaWebSocket } from 'home-assistant-js-websocket';
import WebSocket from 'ws';

/**
 * Opens HA's websocket API and authenticates (auth_required → auth → auth_ok | auth_invalid).
 * The library's own createSocket needs a browser WebSocket global; Node 20 has none, so this
 * does the same handshake with `ws` and rejects with the library's error codes, which its
 * reconnect loop understands (ERR_INVALID_AUTH stops retrying).
 */
export function createHaSocket(url: string, token: string, timeoutMs = 10_000): Promise<HaWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    let settled = false;
    const fail = (code: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      reject(code);
    };
    const timer = setTimeout(() => fail(ERR_CANNOT_CONNECT), timeoutMs);
    socket.on('error', () => fail(ERR_CANNOT_CONNECT));
    socket.on('close', () => fail(ERR_CANNOT_CONNECT));
    socket.on('message', (data) => {
      let msg: { type?: string; ha_version?: string };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return fail(ERR_CANNOT_CONNECT);
      }
      if (msg.type === 'auth_required') socket.send(JSON.stringify({ type: 'auth', access_token: token }));
      else if (msg.type === 'auth_invalid') fail(ERR_INVALID_AUTH);
      else if (msg.type === 'auth_ok') {
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        // The library's Connection listens with addEventListener; keep errors from being unhandled.
        socket.on('error', () => undefined);
        const ha = socket as unknown as HaWebSocket;
        ha.haVersion = msg.ha_version ?? '0.0.0';
        resolve(ha);
      }
    });
  });
}
