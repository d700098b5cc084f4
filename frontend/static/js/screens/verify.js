// Public: check a transcript (学习成果证明) a learner handed over — its
// signature, issuer, expiry and whether any outcome in it was revoked since.
// No sign-in: an admissions office or an employer uses it.

import { h, tx, num, date, field, section, table } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, runAction } from '../ui.js';
import { has, t, fmtDateTime } from '../i18n.js';
import { verifyOffline, supported } from '../offline.js';

// A transcript handed over from the learner's own page in this tab.
let handed = '';

export function handOver(token) {
  handed = token;
}

function checkName(name) {
  return has(`check.${name}`) ? h('strong', { t: `check.${name}` }) : h('strong', { text: name });
}

// checkLine words a check in the page's language when the server names its
// verdict, else shows the server's own words.
function checkLine(c) {
  if (c.code && has(`vcheck.${c.code}`)) {
    const arg = /^\d{4}-\d{2}-\d{2}T/.test(c.arg || '') ? fmtDateTime(c.arg) : (c.arg || '');
    return t(`vcheck.${c.code}`, { arg });
  }
  return c.message;
}

// maskName keeps the family name: the verify page shows to whom a
// credential was issued without spelling out who.
function maskName(name) {
  const s = String(name || '');
  return s ? s[0] + '*'.repeat(Math.max(1, [...s].length - 1)) : '—';
}

function resultView(v) {
  const ok = Boolean(v.valid);
  const revoked = v.revokedOutcomes || [];
  const s = v.subject;
  return h('div', { id: 'verify-result', data: { valid: String(ok) } },
    h('div', { class: ['alert', ok ? 'alert-success' : 'alert-error', 'verify-verdict'], role: ok ? 'status' : 'alert' },
      h('p', { class: 'alert-title' },
        h('span', { 'aria-hidden': 'true', text: ok ? '✓ ' : '✗ ' }), tx(ok ? 'verify.valid' : 'verify.invalid')),
      v.format ? h('p', { id: 'verify-format', data: { format: v.format }, t: `verify.format.${v.format}` }) : null,
      v.local ? h('p', { id: 'verify-local-note', t: 'verify.localDone' }) : null),
    section('verify.checks',
      h('ul', { class: 'checks-list' }, (v.checks || []).map((c) => h('li', { class: c.ok ? 'check-ok' : 'check-bad', data: { check: c.name } },
        h('span', { class: 'check-icon', 'aria-hidden': 'true', text: c.ok ? '✓' : '✗' }), ' ',
        checkName(c.name), ' ', h('span', { class: 'sr-only', t: c.ok ? 'verify.passed' : 'verify.failed' }),
        h('span', { class: 'sub', data: c.code ? { code: c.code } : {}, text: checkLine(c) })))),
      revoked.length
        ? h('div', { id: 'verify-revoked' }, h('h3', { t: 'verify.revoked' }),
          h('ul', {}, revoked.map((o) => h('li', {}, h('strong', { text: o.title }), ' ', h('span', { class: 'sub-inline', text: o.issuerName || '' })))))
        : null),
    s ? section('verify.subject',
      h('dl', { class: 'kv' },
        h('dt', { t: 'transcript.name' }), h('dd', { class: 'masked', id: 'verify-name', text: maskName(s.name) }),
        h('dt', { t: 'record.nationalId' }), h('dd', { class: 'masked', text: s.nationalId || tx('verify.idHashed') }),
        h('dt', { t: 'transcript.banked' }), h('dd', {}, num(s.bankedCredits || 0), ' ', tx('unit.credits')),
        h('dt', { t: 'transcript.outcomeCount' }), h('dd', {}, num((s.outcomes || []).length)),
        v.issuedAt ? [h('dt', { t: 'transcript.issuedAt' }), h('dd', {}, date(v.issuedAt, true))] : null,
        v.expiresAt ? [h('dt', { t: 'transcript.expiresAt' }), h('dd', {}, date(v.expiresAt, true))] : null),
      (s.outcomes || []).length ? table([
        { key: 'outcome.title', cell: (o) => o.title },
        { key: 'outcome.issuer', cell: (o) => o.issuerName || '—' },
        { key: 'outcome.credits', class: 'n', cell: (o) => num(o.credits) },
        { key: 'outcome.completedOn', cell: (o) => date(o.completedOn) },
      ], s.outcomes, 'verify.subject') : null) : null);
}

export default {
  path: 'verify',
  nav: 'nav.verify',
  allowed: () => true,
  render(view) {
    const input = h('textarea', { rows: '5', class: 'json token', spellcheck: 'false', autocomplete: 'off' });
    input.value = handed;
    handed = '';
    const result = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'form', id: 'verify-form' },
      formAlert(),
      field({ name: 'transcript', label: 'verify.token', hint: 'verify.tokenHint', control: input, required: true }),
      h('div', { class: 'actions' }, button('verify.submit', { type: 'submit' })));
    onSubmit(form, async (data) => {
      result.replaceChildren();
      const text = String(data.get('transcript')).trim();
      // A printed code (from the QR code or typed from the paper), a
      // credential's JSON (pasted or uploaded) or a token.
      const body = /^[2-9A-Za-z]{10}$/.test(text) ? { code: text }
        : text.startsWith('{') && !JSON.parse(text).transcript ? { credential: JSON.parse(text) } : { transcript: tokenOf(text) };
      const v = await api.post('/api/v1/verify', body);
      result.append(resultView(v));
    });
    const upload = h('input', { type: 'file', accept: '.json,.jwt,application/json', id: 'verify-upload' });
    upload.addEventListener('change', async () => {
      const text = await readFile(upload);
      if (text !== null) input.value = text.trim();
    });
    view.append(pageHeader('verify.title', 'verify.intro'),
      h('div', { class: 'card' }, form,
        field({ name: 'upload', label: 'verify.upload', hint: 'verify.uploadHint', control: upload }),
        localPart(input, result)), result);
    // Opened from a printed transcript's QR code: verify at once.
    const code = new URLSearchParams(location.hash.split('?')[1] || '').get('code');
    if (code) {
      input.value = code;
      form.requestSubmit();
    }
  },
};

// readFile returns a picked file's text, or null when none was picked.
async function readFile(input) {
  const f = input.files && input.files[0];
  return f ? f.text() : null;
}

// The transcript may be pasted bare or as the JSON a learner downloaded.
function tokenOf(text) {
  const s = String(text).trim();
  if (!s.startsWith('{')) return s;
  try {
    return JSON.parse(s).transcript || s;
  } catch {
    return s;
  }
}

// localPart verifies in this browser: WebCrypto checks the signature with
// the bank's published keys and a signed status file, either fetched from
// the bank or picked from disk (downloaded earlier, for use offline), so
// the verdict does not rest on this server's word.
function localPart(input, result) {
  const keysFile = h('input', { type: 'file', accept: '.json,application/json', id: 'verify-keys-file' });
  const statusFile = h('input', { type: 'file', accept: '.json,.jwt,application/json', id: 'verify-status-file' });
  const where = h('div', {});
  const local = button('verify.local', { kind: 'secondary', attrs: { id: 'verify-local' } });
  local.addEventListener('click', () => runAction(local, where, async () => {
    result.replaceChildren();
    if (!(await supported())) {
      where.append(h('p', { class: 'alert alert-warning', role: 'status', t: 'verify.localUnsupported' }));
      return;
    }
    const [keysText, statusText] = await Promise.all([readFile(keysFile), readFile(statusFile)]);
    // A picked key file is the JWK set or the DID document; without one,
    // both come from the bank.
    const picked = keysText ? JSON.parse(keysText) : null;
    const keys = picked
      ? (picked.id ? { did: picked, jwks: null } : picked)
      : { did: await api.get('/.well-known/did.json'), jwks: await api.get('/api/v1/transcripts/keys') };
    // With a key file picked the check stays offline: revocations come only
    // from a status file picked too.
    const status = statusText ?? (keysText ? null : await api.get('/api/v1/transcripts/status'));
    const v = await verifyOffline(tokenOf(input.value), keys, status, { tr: t });
    result.append(resultView(v));
  }));
  return h('details', { class: 'verify-local' },
    h('summary', { t: 'verify.localTitle' }),
    h('p', { class: 'hint', t: 'verify.localIntro' }),
    field({ name: 'keys', label: 'verify.keysFile', hint: 'verify.keysFileHint', control: keysFile }),
    field({ name: 'status', label: 'verify.statusFile', hint: 'verify.statusFileHint', control: statusFile }),
    h('div', { class: 'actions' }, local,
      h('a', { href: '/api/v1/transcripts/keys', download: 'creditbank-keys.json', t: 'verify.getKeys' }), ' ',
      h('a', { href: '/api/v1/transcripts/status', download: 'creditbank-status.json', t: 'verify.getStatus' })),
    where);
}
