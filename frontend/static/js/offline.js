// Checks the bank's signed credentials in the browser alone: the JWS
// signature with WebCrypto Ed25519 against the bank's published keys
// (/api/v1/transcripts/keys, or a key file), expiry, and revocations from a
// signed status file (/api/v1/transcripts/status, or a downloaded one).
// The same checks as `creditbank verify --keys --status`, so an admissions
// office can verify without trusting this server's answer. No DOM here:
// the module runs under Node too.

const TRANSCRIPT_TYP = 'vc+jwt';
const STATUS_TYP = 'revocations+jwt';

function b64uBytes(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out;
}

function b64uJSON(s) {
  return JSON.parse(new TextDecoder().decode(b64uBytes(s)));
}

class Refusal extends Error {
  constructor(key, args) {
    super(key);
    this.key = key;
    this.args = args;
  }
}

// supported reports whether this browser's WebCrypto verifies Ed25519
// (Chromium 137+, Firefox 129+, Safari 17+).
export async function supported() {
  try {
    await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
      { name: 'Ed25519' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

// importKeys takes the Ed25519 signing keys of a JWK set.
export async function importKeys(jwks) {
  const keys = new Map();
  for (const k of (jwks && jwks.keys) || []) {
    if (k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.kid !== 'string' || (k.use && k.use !== 'sig')) continue;
    keys.set(k.kid, await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: k.x }, { name: 'Ed25519' }, false, ['verify']));
  }
  if (!keys.size) throw new Refusal('offline.noKeys');
  return keys;
}

async function verifyJWS(token, keys, typ) {
  const parts = String(token || '').trim().split('.');
  if (parts.length !== 3) throw new Refusal('offline.notJWS');
  let header;
  let payload;
  try {
    header = b64uJSON(parts[0]);
    payload = b64uJSON(parts[1]);
  } catch {
    throw new Refusal('offline.malformed');
  }
  if (header.alg !== 'EdDSA' || header.typ !== typ) throw new Refusal('offline.wrongType');
  const key = keys.get(header.kid);
  if (!key) throw new Refusal('offline.unknownKey');
  const data = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, b64uBytes(parts[2]), data);
  if (!ok) throw new Refusal('offline.badSignature');
  return payload;
}

// statusToken accepts the JSON the bank serves or the bare signed list.
function statusToken(status) {
  if (!status) return '';
  if (typeof status === 'object') return status.status || '';
  const s = String(status).trim();
  if (s.startsWith('{')) {
    try {
      return JSON.parse(s).status || '';
    } catch {
      return s;
    }
  }
  return s;
}

const isoDate = (v) => (v ? String(v).slice(0, 10) : '');

function identity(ids, subj) {
  for (const id of ids || []) {
    if (id.identityType === 'name') subj.name = id.identityHash;
    if (id.identityType === 'nationalIdentityNumber') subj.nationalId = id.identityHash;
  }
}

function addAchievement(ac, subj) {
  const s = ac.credentialSubject || {};
  const a = s.achievement || {};
  const o = {
    id: String(ac.id || '').replace(/^urn:uuid:/, ''), title: a.name, category: a.fieldOfStudy, courseCode: a.humanCode,
    credits: Number(s.creditsEarned) || 0, completedOn: isoDate(s.activityEndDate), issuerName: a.creator ? a.creator.name : '',
  };
  subj.outcomes.push(o);
  subj.bankedCredits += o.credits;
}

// readCredential reads any of the bank's formats into one view: its own
// transcript, a CLR 2.0 ClrCredential or an OB 3.0 AchievementCredential.
export function readCredential(vc) {
  const types = (vc && vc.type) || [];
  if (types.includes('LearningRecordTranscript')) return { format: 'transcript', subject: vc.credentialSubject };
  const subj = { name: '', nationalId: '', bankedCredits: 0, outcomes: [] };
  if (types.includes('ClrCredential')) {
    identity(vc.credentialSubject?.identifier, subj);
    for (const ac of vc.credentialSubject?.verifiableCredential || []) addAchievement(ac, subj);
    return { format: 'clr', subject: subj };
  }
  if (types.includes('AchievementCredential')) {
    identity(vc.credentialSubject?.identifier, subj);
    addAchievement(vc, subj);
    return { format: 'achievement', subject: subj };
  }
  throw new Refusal('offline.unknownFormat');
}

// verifyOffline returns the same shape as POST /api/v1/verify. tr turns a
// message key and arguments into text.
export async function verifyOffline(token, jwks, status, { now = Date.now(), tr = (k) => k } = {}) {
  const checks = [];
  const out = { valid: false, checks, revokedOutcomes: [], local: true };
  const add = (name, ok, key, args) => checks.push({ name, ok, message: tr(key, args) });
  let keys;
  try {
    keys = await importKeys(jwks);
  } catch (err) {
    add('signature', false, err.key || 'offline.noKeys');
    return out;
  }
  let claims;
  try {
    claims = await verifyJWS(token, keys, TRANSCRIPT_TYP);
  } catch (err) {
    add(err.key === 'offline.notJWS' ? 'format' : 'signature', false, err.key || 'offline.malformed');
    return out;
  }
  add('format', true, 'offline.wellFormed');
  add('signature', true, 'offline.signed');
  let list = null;
  let statusProblem = '';
  const st = statusToken(status);
  if (status && !st) statusProblem = 'offline.statusUntrusted';
  else if (st) {
    try {
      list = await verifyJWS(st, keys, STATUS_TYP);
      if (!list.exp || now >= list.exp * 1000) {
        statusProblem = 'offline.statusExpired';
        list = null;
      }
    } catch {
      statusProblem = 'offline.statusUntrusted';
    }
  }
  if (list && list.iss && claims.iss !== list.iss) add('issuer', false, 'offline.issuerMismatch', { got: claims.iss, want: list.iss });
  else add('issuer', true, 'offline.issuer', { iss: claims.iss });
  if (claims.iat) out.issuedAt = new Date(claims.iat * 1000).toISOString();
  if (!claims.exp) add('expiry', false, 'offline.noExpiry');
  else {
    out.expiresAt = new Date(claims.exp * 1000).toISOString();
    if (now >= claims.exp * 1000) add('expiry', false, 'offline.expired', { at: out.expiresAt });
    else add('expiry', true, 'offline.validUntil', { at: out.expiresAt });
  }
  let view;
  try {
    view = readCredential(claims.vc);
  } catch {
    add('content', false, 'offline.unreadable');
    return out;
  }
  out.format = view.format;
  out.subject = view.subject;
  if (statusProblem) add('revocation', false, statusProblem);
  else if (!list) add('revocation', true, 'offline.notChecked');
  else {
    const revoked = new Set(list.revokedOutcomes || []);
    out.revokedOutcomes = (view.subject.outcomes || []).filter((o) => revoked.has(o.id));
    if (out.revokedOutcomes.length) add('revocation', false, 'offline.revoked');
    else add('revocation', true, 'offline.noneRevoked', { at: new Date(list.iat * 1000).toISOString() });
  }
  out.valid = checks.every((c) => c.ok);
  return out;
}
