// A camera's live picture on a page of several. A browser opens at most six connections to one
// host over HTTP/1.1 (Home Assistant's ingress included), and an MJPEG stream holds one for as
// long as it shows: with five cameras and the page's live events, every other request of the
// page (status, switches, a reload) waited forever. So a page of few cameras streams MJPEG, and
// one of more fetches each camera's newest frame in short requests, a few times a second.

/** At most this many MJPEG streams a page (with the live events' stream, two connections stay free). */
export const STREAM_AT_MOST = 3;
/** Each camera's frame is fetched at most this often when polled (2 fps: a glance, not a recording). */
const POLL_MS = 500;

const cameraPath = (name, rest) => `api/cameras/${encodeURIComponent(name)}${rest}`;

/**
 * Shows each `img` (its `data-camera` names the camera) live; returns a function that stops them.
 * A polled camera that has no picture now (offline: the server answers 503) keeps its last frame,
 * marked `stale`.
 */
export function showLive(imgs) {
  const stop = new AbortController();
  const stream = imgs.length <= STREAM_AT_MOST;
  for (const img of imgs) {
    if (stream) img.src = cameraPath(img.dataset.camera, '/stream.mjpeg');
    else poll(img, stop.signal);
  }
  return () => {
    stop.abort();
    // an <img> keeps its MJPEG connection open until its source changes
    for (const img of imgs) img.removeAttribute('src');
  };
}

async function poll(img, signal) {
  let shown;
  while (!signal.aborted) {
    const started = performance.now();
    try {
      const res = await fetch(cameraPath(img.dataset.camera, `/snapshot.jpg?t=${Date.now()}`), { signal, cache: 'no-store' });
      if (res.ok) {
        const next = URL.createObjectURL(await res.blob());
        img.src = next;
        if (shown) URL.revokeObjectURL(shown);
        shown = next;
      }
      img.classList.toggle('stale', !res.ok);
    } catch {
      if (signal.aborted) break;
      img.classList.add('stale');
    }
    await wait(Math.max(100, POLL_MS - (performance.now() - started)), signal);
  }
  if (shown) URL.revokeObjectURL(shown);
}

const wait = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
