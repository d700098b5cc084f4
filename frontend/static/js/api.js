// The API client: bearer tokens, one refresh on 401, idempotency keys for
// POSTs and a global busy indicator.

const SESSION_KEY = 'cb.session';

// The session lives in sessionStorage so a reload keeps the user signed in
// but closing the tab (a shared computer at a community centre) does not.
let session = readSession();
const busyListeners = new Set();
const signedOutListeners = new Set();
let inFlight = 0;
let refreshing = null;

function readSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return s && s.accessToken ? s : null;
  } catch {
    return null;
  }
}

function writeSession(s) {
  session = s;
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function hasSession() {
  return session !== null;
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  // fieldProblems are the validation details, if the server sent any.
  get fieldProblems() {
    return Array.isArray(this.details) ? this.details.filter((d) => d && d.field) : [];
  }
}

export function onBusy(fn) {
  busyListeners.add(fn);
}

export function onSignedOut(fn) {
  signedOutListeners.add(fn);
}

function setBusy(delta) {
  inFlight += delta;
  busyListeners.forEach((fn) => fn(inFlight > 0));
}

// randomKey works outside secure contexts too (crypto.randomUUID does not),
// which matters when the centre serves the UI over plain HTTP on a LAN.
function randomKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// Raw wraps a body that is sent as it is (a CSV file's bytes) instead of
// as JSON. The bytes are read once, so a retry after a token refresh sends
// exactly the same body under the same Idempotency-Key.
export class Raw {
  constructor(data, type) {
    this.data = data;
    this.type = type;
  }
}

async function send(method, path, body, headers) {
  const h = { Accept: 'application/json', ...headers };
  let payload;
  if (body instanceof Raw) {
    h['Content-Type'] = body.type;
    payload = body.data;
  } else if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (session) h.Authorization = `Bearer ${session.accessToken}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: payload,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  return res;
}

async function decode(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.ok) return data;
  const e = (data && data.error) || {};
  const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || '', e.details);
  err.requestId = e.requestId || res.headers.get('X-Request-ID') || '';
  // A limit says how long to wait (seconds); the page tells the reader that
  // wait instead of a guess.
  const wait = Number.parseInt(res.headers.get('Retry-After') || '', 10);
  if (wait > 0) err.retryAfter = wait;
  throw err;
}

// refresh trades the refresh token for a new pair. Concurrent 401s share one
// attempt because a refresh token is good for one use only.
function refresh() {
  if (!refreshing) {
    const token = session && session.refreshToken;
    refreshing = (async () => {
      if (!token) return false;
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refreshToken: token }),
        cache: 'no-store',
      }).catch(() => null);
      if (!res || !res.ok) return false;
      const pair = await res.json();
      writeSession({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
      return true;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

// request calls the API. A 401 with a session tries one refresh and repeats
// the call with the same Idempotency-Key, so a retried POST cannot apply twice.
export async function request(method, path, body) {
  return (await requestWithStatus(method, path, body)).data;
}

// requestWithStatus also reports the HTTP status, for the few answers whose
// meaning depends on it (editing a published rule answers 201, a new version).
export async function requestWithStatus(method, path, body) {
  const headers = {};
  if (method === 'POST') headers['Idempotency-Key'] = randomKey();
  setBusy(1);
  try {
    const res = await sendSignedIn(method, path, body, headers);
    return { status: res.status, data: await decode(res) };
  } finally {
    setBusy(-1);
  }
}

// sendSignedIn sends a request and, on a 401 with a session, refreshes the
// tokens once and repeats it.
async function sendSignedIn(method, path, body, headers) {
  let res = await send(method, path, body, headers);
  if (res.status === 401 && session && !path.startsWith('/api/v1/auth/')) {
    if (await refresh()) {
      res = await send(method, path, body, headers);
    }
    if (res.status === 401) {
      writeSession(null);
      signedOutListeners.forEach((fn) => fn('expired'));
    }
  }
  return res;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body ?? {});
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

export async function signIn(username, password) {
  const pair = await post('/api/v1/auth/login', { username, password });
  writeSession({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
}

export function signOut() {
  writeSession(null);
}

// changePassword swaps the stored tokens for the pair the server returns at
// once: the change ends every earlier session, this tab's included, so the
// old tokens would be refused on the very next call.
export async function changePassword(currentPassword, newPassword) {
  const pair = await post('/api/v1/me/password', { currentPassword, newPassword });
  writeSession({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
}

// getAll follows nextCursor to collect a whole (small) list such as the
// institution directory.
export async function getAll(path, max = 1000) {
  const items = [];
  let cursor = '';
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...(page.items || []));
    cursor = page.nextCursor || '';
  } while (cursor && items.length < max);
  return items;
}

// download fetches a file with the bearer token and hands it to the browser
// as a download; a plain link could not carry the Authorization header.
export async function download(path, filename) {
  const data = await get(path);
  saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), filename);
}

// downloadFile is download for a file the server sends ready-made (a CSV
// table): its bytes are saved as they are, byte order mark included, under
// the name the server gives (else filename). A refusal is thrown as an
// ApiError like any other call's.
export async function downloadFile(path, filename) {
  setBusy(1);
  try {
    const res = await sendSignedIn('GET', path, undefined, { Accept: '*/*' });
    if (!res.ok) await decode(res);
    const named = /filename="([^"/\\]+)"/.exec(res.headers.get('Content-Disposition') || '');
    saveBlob(await res.blob(), named ? named[1] : filename);
  } finally {
    setBusy(-1);
  }
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
