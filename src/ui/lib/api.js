// The REST client. Every URL is relative: the UI works the same at / and behind Home Assistant
// ingress (index.html's <base> follows X-Ingress-Path). Errors carry the server's message and code.

export class ApiError extends Error {
  /** `body`: the whole answer, for the facts beside the message (the faces found, the person matched). */
  constructor(message, status, code, body = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export async function api(path, init) {
  const res = await fetch(path, init);
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(body?.error || `${res.status} ${res.statusText}`, res.status, body?.code);
  return body;
}

/** JSON in, JSON out. */
export const send = (method, path, body) =>
  api(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

/**
 * An upload with progress (fetch has none): resolves with the JSON body, rejects with ApiError.
 * `onProgress(fraction)` is called while the file goes up.
 */
export function upload(path, form, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(body?.error || `${xhr.status} ${xhr.statusText}`, xhr.status, body?.code, body ?? {}));
    };
    xhr.onerror = () => reject(new ApiError('Argus could not be reached.', 0, 'network'));
    xhr.send(form);
  });
}
