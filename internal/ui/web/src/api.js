// The one way the console talks to the gateway. Every request carries the
// session cookie (same origin) and X-Railyard-Console: 1, the CSRF guard the
// admin API asks of cookie-authenticated writes. A 401 anywhere means the
// session is gone: listeners (the app shell) switch back to the login form.

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

const unauthorized = new Set();

// onUnauthorized registers fn to run when any call answers 401; it returns
// the function that unregisters it.
export function onUnauthorized(fn) {
  unauthorized.add(fn);
  return () => unauthorized.delete(fn);
}

function headers(extra) {
  return { 'X-Railyard-Console': '1', ...extra };
}

// errorOf turns a failed response into an ApiError with the API's own
// message when it sent one ({"error":{"type","message"}}).
export async function errorOf(res) {
  let type = 'http_error';
  let message = `${res.status} ${res.statusText || 'error'}`;
  try {
    const text = await res.text();
    try {
      const body = JSON.parse(text);
      const e = body && body.error;
      if (e && typeof e === 'object') {
        if (e.type) type = String(e.type);
        if (e.message) message = String(e.message);
      } else if (typeof e === 'string') {
        message = e;
      }
    } catch {
      if (text.trim()) message = `${res.status}: ${text.trim().slice(0, 300)}`;
    }
  } catch {
    // the body could not be read; the status line will do
  }
  if (res.status === 404 && type === 'http_error') message = `${res.status}: this gateway has no such API (${res.url.replace(location.origin, '')})`;
  return new ApiError(res.status, type, message);
}

function signalOut(res, path) {
  if (res.status === 401 && !path.startsWith('/ui/api/login')) {
    for (const fn of unauthorized) fn();
  }
}

// request sends one call and returns the raw Response when it succeeded.
export async function request(method, path, { body, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: headers(), signal };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, init);
  if (!res.ok) {
    signalOut(res, path);
    throw await errorOf(res);
  }
  return res;
}

// json sends one call and decodes its JSON answer (null for 204).
export async function json(method, path, opts) {
  const res = await request(method, path, opts);
  if (res.status === 204) return null;
  return res.json();
}

export const get = (path, opts) => json('GET', path, opts);
export const post = (path, body, opts) => json('POST', path, { ...opts, body });
export const patch = (path, body, opts) => json('PATCH', path, { ...opts, body });
export const del = (path, opts) => json('DELETE', path, opts);

// query builds "?a=1&b=2" from the non-empty values of params.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v) !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// session reports whether the cookie is valid: 'in', 'out' or 'off' (the
// admin API is off because no master key is set). A gateway without the
// session route (404) is taken as signed in: the first real call's 401
// brings the login form back if not.
export async function session() {
  const res = await fetch('/admin/api/session', { credentials: 'same-origin', headers: headers() });
  if (res.ok || res.status === 404) return 'in';
  if (res.status === 401) return 'out';
  if (res.status === 403) return 'off';
  throw await errorOf(res);
}

export async function login(key) {
  const res = await fetch('/ui/api/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify({ key }),
  });
  if (!res.ok) throw await errorOf(res);
}

export async function logout() {
  await fetch('/ui/api/logout', { method: 'POST', credentials: 'same-origin', headers: headers() });
}
