// Learner: a signed transcript (学习成果证明) of the record, laid out as a
// printable certificate, with the signed token to copy and hand over.

import { h, tx, num, date, table } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, button, loading, runAction } from '../ui.js';
import { handOver } from './verify.js';

function categories(byCategory) {
  const rows = Object.entries(byCategory || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  if (!rows.length) return null;
  return h('ul', { class: 'cert-categories' }, rows.map(([c, v]) =>
    h('li', {}, h('span', { t: `cat.${c}` }), ' ', h('strong', {}, num(v)), ' ', tx('unit.credits'))));
}

function certificate(tr) {
  const v = tr.view || {};
  const outcomes = [...(v.outcomes || [])].sort((a, b) => String(a.completedOn).localeCompare(String(b.completedOn)));
  const conversions = v.conversions || [];
  return h('article', { class: 'card certificate', id: 'certificate', 'aria-labelledby': 'cert-title' },
    h('header', { class: 'cert-head' },
      h('p', { class: 'eyebrow', t: 'app.name' }),
      h('h2', { id: 'cert-title', t: 'transcript.certTitle' }),
      h('p', { class: 'cert-lead', t: 'transcript.certLead' })),
    h('dl', { class: 'kv cert-identity' },
      h('dt', { t: 'transcript.name' }), h('dd', { id: 'cert-name', text: v.name }),
      h('dt', { t: 'record.nationalId' }), h('dd', { class: 'masked', text: v.nationalId }),
      h('dt', { t: 'transcript.birthYear' }), h('dd', { text: String(v.birthYear || '—') }),
      h('dt', { t: 'transcript.banked' }), h('dd', {}, h('strong', { class: 'cert-banked' }, num(v.bankedCredits || 0)), ' ', tx('unit.credits'))),
    categories(v.creditsByCategory),
    h('h3', { t: 'record.outcomes' }),
    outcomes.length ? table([
      { key: 'outcome.title', cell: (o) => h('span', {}, h('strong', { text: o.title }), o.courseCode ? h('span', { class: 'sub', text: o.courseCode }) : null) },
      { key: 'outcome.issuer', cell: (o) => o.issuerName || '—' },
      { key: 'outcome.category', cell: (o) => tx(`cat.${o.category}`) },
      { key: 'outcome.hours', class: 'n', cell: (o) => num(o.hours) },
      { key: 'outcome.credits', class: 'n', cell: (o) => num(o.credits) },
      { key: 'outcome.completedOn', cell: (o) => date(o.completedOn) },
    ], outcomes, 'record.outcomes') : h('p', { class: 'empty', t: 'record.noOutcomes' }),
    conversions.length ? [h('h3', { t: 'record.conversions' }), table([
      { key: 'conversion.rule', cell: (c) => h('span', {}, h('strong', { text: c.rule }), ' ', h('span', { class: 'sub-inline', t: 'conversion.versionValue', targs: { v: c.ruleVersion } })) },
      { key: 'convert.institution', cell: (c) => c.institution || '—' },
      { key: 'conversion.purpose', cell: (c) => tx(`purpose.${c.purpose}`) },
      { key: 'conversion.credits', class: 'n', cell: (c) => num(c.awardedCredits) },
      { key: 'conversion.decidedAt', cell: (c) => date(c.decidedOn) },
    ], conversions, 'record.conversions')] : null,
    h('footer', { class: 'cert-foot' },
      h('p', {}, tx('transcript.issuedAt'), ' ', date(tr.issuedAt, true), ' · ', tx('transcript.expiresAt'), ' ', date(tr.expiresAt, true)),
      h('p', { class: 'hint', t: 'transcript.howToVerify', targs: { url: `${location.origin}/#/verify` } }),
      tr.verifyUrl ? h('div', { class: 'cert-qr', id: 'cert-qr' },
        h('img', { src: tr.verifyQr, alt: tx('transcript.qrAlt'), width: '132', height: '132', data: { url: tr.verifyUrl } }),
        h('p', {}, h('span', { t: 'transcript.qrHint' }), ' ', h('strong', { id: 'cert-verify-url', text: tr.verifyUrl }))) : null));
}

// copyText uses the clipboard API where the page is a secure context and
// falls back to selecting the text, which works on a plain-HTTP LAN too.
async function copyText(area, status) {
  try {
    await navigator.clipboard.writeText(area.value);
  } catch {
    area.select();
    document.execCommand('copy');
  }
  status.replaceChildren(tx('transcript.copied'));
}

export default {
  path: 'transcript',
  nav: 'nav.transcript',
  allowed: (me) => me?.role === 'learner',
  async render(view, ctx) {
    view.append(loading());
    const tr = await api.get('/api/v1/learners/me/transcript');
    const token = h('textarea', { id: 'transcript-token', class: 'json token', rows: '4', readonly: true, spellcheck: 'false' });
    token.value = tr.transcript;
    const status = h('span', { class: 'hint', role: 'status' });
    const print = button('transcript.print', { attrs: { id: 'transcript-print' } });
    print.addEventListener('click', () => window.print());
    const copy = button('transcript.copy', { kind: 'secondary', attrs: { id: 'transcript-copy' } });
    copy.addEventListener('click', () => copyText(token, status));
    const check = button('transcript.verifyIt', { kind: 'secondary', attrs: { id: 'transcript-verify' } });
    check.addEventListener('click', () => {
      handOver(tr.transcript);
      ctx.go('verify');
    });
    // The 1EdTech export is signed afresh on each download, so it is asked
    // for only when wanted.
    const clrWhere = h('div', {});
    const clr = button('transcript.downloadClr', { kind: 'secondary', attrs: { id: 'transcript-clr' } });
    clr.addEventListener('click', () => runAction(clr, clrWhere, () =>
      api.download('/api/v1/learners/me/transcript?format=clr', 'learning-record-clr.json')));
    view.replaceChildren(
      h('div', { class: 'no-print' }, pageHeader('transcript.title', 'transcript.intro')),
      h('div', { class: 'actions no-print' }, print),
      certificate(tr),
      h('section', { class: 'card no-print', id: 'downloads', 'aria-labelledby': 'token-title' },
        h('h2', { id: 'token-title', t: 'transcript.tokenTitle' }),
        h('p', { class: 'hint', t: 'transcript.tokenHint' }),
        h('label', { for: 'transcript-token', class: 'sr-only', t: 'transcript.tokenTitle' }),
        token,
        h('div', { class: 'actions' }, copy, check, status)),
      // Machine formats concern the school's or employer's systems, not the
      // resident: they wait, named for what they are, behind this section.
      h('details', { class: 'card no-print', id: 'for-institutions' },
        h('summary', { t: 'transcript.forInstitutions' }),
        h('p', { t: 'transcript.forInstitutionsIntro' }),
        h('h3', { id: 'clr-title', t: 'transcript.downloadClr' }),
        h('p', { class: 'hint', t: 'transcript.clrHint' }),
        h('div', { class: 'actions' }, clr), clrWhere));
  },
};
