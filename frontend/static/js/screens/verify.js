// Public: check a transcript (学习成果证明) a learner handed over — its
// signature, issuer, expiry and whether any outcome in it was revoked since.
// No sign-in: an admissions office or an employer uses it.

import { h, tx, num, date, field, section, table } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button } from '../ui.js';
import { has } from '../i18n.js';

// A transcript handed over from the learner's own page in this tab.
let handed = '';

export function handOver(token) {
  handed = token;
}

function checkName(name) {
  return has(`check.${name}`) ? h('strong', { t: `check.${name}` }) : h('strong', { text: name });
}

function resultView(v) {
  const ok = Boolean(v.valid);
  const revoked = v.revokedOutcomes || [];
  const s = v.subject;
  return h('div', { id: 'verify-result', data: { valid: String(ok) } },
    h('div', { class: ['alert', ok ? 'alert-success' : 'alert-error', 'verify-verdict'], role: ok ? 'status' : 'alert' },
      h('p', { class: 'alert-title' },
        h('span', { 'aria-hidden': 'true', text: ok ? '✓ ' : '✗ ' }), tx(ok ? 'verify.valid' : 'verify.invalid'))),
    section('verify.checks',
      h('ul', { class: 'checks-list' }, (v.checks || []).map((c) => h('li', { class: c.ok ? 'check-ok' : 'check-bad', data: { check: c.name } },
        h('span', { class: 'check-icon', 'aria-hidden': 'true', text: c.ok ? '✓' : '✗' }), ' ',
        checkName(c.name), ' ', h('span', { class: 'sr-only', t: c.ok ? 'verify.passed' : 'verify.failed' }),
        h('span', { class: 'sub', text: c.message })))),
      revoked.length
        ? h('div', { id: 'verify-revoked' }, h('h3', { t: 'verify.revoked' }),
          h('ul', {}, revoked.map((o) => h('li', {}, h('strong', { text: o.title }), ' ', h('span', { class: 'sub-inline', text: o.issuerName || '' })))))
        : null),
    s ? section('verify.subject',
      h('dl', { class: 'kv' },
        h('dt', { t: 'transcript.name' }), h('dd', { text: s.name }),
        h('dt', { t: 'record.nationalId' }), h('dd', { class: 'masked', text: s.nationalId }),
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
      const v = await api.post('/api/v1/verify', { transcript: String(data.get('transcript')).trim() });
      result.append(resultView(v));
    });
    view.append(pageHeader('verify.title', 'verify.intro'), h('div', { class: 'card' }, form), result);
  },
};
