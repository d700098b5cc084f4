// Checks the bank's signed credentials in the browser alone: the JWS
// signature with WebCrypto Ed25519 against the bank's published keys
// (/api/v1/transcripts/keys, or a key file), expiry, and revocations from a
// signed status file (/api/v1/transcripts/status, or a downloaded one).
// The same checks as `creditbank verify --keys --status`, so an admissions
// office can verify without trusting this server's answer. No DOM here:
// the module runs under Node too.

const TRANSCRIPT_TYP = 'vc+jwt';
const STATUS_TYP = 'revocations+jwt';
// The 1EdTech export as VC-JWT (OB 3.0 JWT proof format): ES256, signed
// with a credential key the bank's DID document lists as a JsonWebKey.
const CREDENTIAL_TYP = 'JWT';

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
    if (id.identityType === 'nationalIdentityNumber' && !id.hashed) subj.nationalId = id.identityHash;
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

function headerOf(token) {
  try {
    return b64uJSON(String(token || '').trim().split('.')[0]);
  } catch {
    return {};
  }
}

// didKey imports the P-256 JsonWebKey assertion method kid names.
async function didKey(did, kid) {
  const asserts = new Set((did && did.assertionMethod) || []);
  const m = ((did && did.verificationMethod) || []).find((v) => v.id === kid);
  if (!m || !asserts.has(kid) || m.type !== 'JsonWebKey' || m.controller !== did.id || m.publicKeyJwk?.crv !== 'P-256') {
    throw new Refusal('offline.unknownKey');
  }
  const { kty, crv, x, y } = m.publicKeyJwk;
  return crypto.subtle.importKey('jwk', { kty, crv, x, y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
}

// verifyCredentialJWT checks a VC-JWT against the DID document: ES256
// signature, and claims that agree with the credential they carry.
async function verifyCredentialJWT(token, did) {
  const parts = String(token || '').trim().split('.');
  const header = headerOf(token);
  if (header.alg !== 'ES256' || header.typ !== CREDENTIAL_TYP) throw new Refusal('offline.wrongType');
  const key = await didKey(did, header.kid);
  let payload;
  try {
    payload = b64uJSON(parts[1]);
  } catch {
    throw new Refusal('offline.malformed');
  }
  const data = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, b64uBytes(parts[2]), data);
  if (!ok) throw new Refusal('offline.badSignature');
  const issuer = typeof payload.issuer === 'string' ? payload.issuer : payload.issuer?.id;
  const nbf = Date.parse(payload.validFrom) / 1000;
  if (payload.iss !== issuer || payload.jti !== payload.id || payload.sub !== payload.credentialSubject?.id || payload.nbf !== nbf) {
    throw new Refusal('offline.claimsMismatch');
  }
  return payload;
}

// verifyOffline returns the same shape as POST /api/v1/verify. tr turns a
// message key and arguments into text. keys is the bank's JWK set, or
// {did, jwks}: its DID document (for the 1EdTech VC-JWT) and JWK set (for
// transcripts and the signed status file).
export async function verifyOffline(token, keys, status, opts = {}) {
  const jwks = keys && keys.did !== undefined ? keys.jwks : keys;
  if (headerOf(token).typ === CREDENTIAL_TYP) return verifyIssuedOffline(token, keys?.did ?? keys, jwks, status, opts);
  return verifyTranscriptOffline(token, jwks, status, opts);
}

// checkStatus verifies a signed status file with the JWK set: the signed
// list of revoked outcome IDs. It returns the list, or a problem key.
async function checkStatus(status, jwks, now) {
  const st = statusToken(status);
  if (!status) return {};
  if (!st || !jwks) return { problem: 'offline.statusUntrusted' };
  try {
    const list = await verifyJWS(st, await importKeys(jwks), STATUS_TYP);
    if (!list.exp || now >= list.exp * 1000) return { problem: 'offline.statusExpired' };
    return { list };
  } catch {
    return { problem: 'offline.statusUntrusted' };
  }
}

function revocationCheck(out, add, view, { list, problem }) {
  if (problem) add('revocation', false, problem, undefined, 'revocation.unknown');
  else if (!list) add('revocation', true, 'offline.notChecked', undefined, 'revocation.unknown');
  else {
    const revoked = new Set(list.revokedOutcomes || []);
    out.revokedOutcomes = (view.subject.outcomes || []).filter((o) => revoked.has(o.id));
    if (out.revokedOutcomes.length) add('revocation', false, 'offline.revoked', undefined, 'revocation.revoked');
    else add('revocation', true, 'offline.noneRevoked', { at: new Date(list.iat * 1000).toISOString() }, 'revocation.none');
  }
}

async function verifyIssuedOffline(token, did, jwks, status, { now = Date.now(), tr = (k) => k } = {}) {
  const checks = [];
  const out = { valid: false, checks, revokedOutcomes: [], local: true };
  const add = (name, ok, key, args, code) => checks.push({ name, ok, message: tr(key, args), code });
  let vc;
  try {
    vc = await verifyCredentialJWT(token, did);
  } catch (err) {
    add('signature', false, err.key || 'offline.malformed');
    return out;
  }
  add('format', true, 'offline.wellFormedVC');
  add('signature', true, 'offline.signed');
  const issuer = typeof vc.issuer === 'string' ? vc.issuer : vc.issuer?.id;
  if (issuer !== did.id) add('issuer', false, 'offline.issuerMismatch', { got: issuer, want: did.id });
  else add('issuer', true, 'offline.issuer', { iss: issuer });
  out.issuedAt = vc.validFrom;
  if (now < Date.parse(vc.validFrom)) add('expiry', false, 'offline.notYetValid', { at: vc.validFrom });
  else if (vc.validUntil && now >= Date.parse(vc.validUntil)) add('expiry', false, 'offline.expired', { at: vc.validUntil });
  else if (vc.validUntil) add('expiry', true, 'offline.validUntil', { at: vc.validUntil });
  else add('expiry', true, 'offline.neverExpires');
  if (vc.validUntil) out.expiresAt = vc.validUntil;
  let view;
  try {
    view = readCredential(vc);
  } catch {
    add('content', false, 'offline.unreadable');
    return out;
  }
  out.format = view.format;
  out.subject = view.subject;
  revocationCheck(out, add, view, await checkStatus(status, jwks, now));
  out.valid = checks.every((c) => c.ok);
  return out;
}

async function verifyTranscriptOffline(token, jwks, status, { now = Date.now(), tr = (k) => k } = {}) {
  const checks = [];
  const out = { valid: false, checks, revokedOutcomes: [], local: true };
  const add = (name, ok, key, args, code) => checks.push({ name, ok, message: tr(key, args), code });
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
  revocationCheck(out, add, view, { list, problem: statusProblem });
  out.valid = checks.every((c) => c.ok);
  return out;
}
