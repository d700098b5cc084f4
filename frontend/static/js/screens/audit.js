// Admin: the audit log, newest first, with filters, and a check of its hash
// chain. Entries name who acted and on what (the server resolves the IDs;
// learners appear by name and masked ID); actions are picked from a list of
// translated labels, and full IDs and the recorded detail stay behind a
// disclosure.

import { h, field, num, date, table, section, tx } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, loading, runAction, alertFor } from '../ui.js';
import { t, fmtDateTime } from '../i18n.js';
import { institutions } from '../lookups.js';

// ACTIONS are the recorded actions an admin can pick, each labelled from
// the catalogue (auditAction.<code>).
const ACTIONS = [
  'auth.login',
  'auth.password_change',
  'auth.refresh_reuse',
  'admin.create',
  'institution.create',
  'institution.suspended',
  'institution.active',
  'staff.create',
  'staff.suspended',
  'staff.active',
  'learner.register',
  'learner.claim',
  'learner.create_on_issue',
  'learner.lookup',
  'learner.reset',
  'learner.data_export',
  'record.read',
  'outcome.issue',
  'outcome.revoke',
  'import.start',
  'import.done',
  'course.create',
  'course.update',
  'course.delete',
  'grant.create',
  'grant.extend',
  'grant.withdraw',
  'helper.create',
  'helper.withdraw',
  'conversion.preview',
  'conversion.apply',
  'conversion.approve',
  'conversion.reject',
  'rule.create',
  'rule.edit',
  'rule.new_version',
  'rule.publish',
  'rule.retire',
  'rule.submit',
  'rule.return',
  'policy.update',
  'transcript.issue',
  'keys.rotate_master',
];

// known says whether the catalogue has key (t returns the key otherwise).
const known = (key) => t(key) !== key;

function actionLabel(code) {
  const key = `auditAction.${code}`;
  return h('span', { class: 'audit-action', t: known(key) ? key : 'audit.otherAction' });
}

// changeText shows a recorded before → after, times in the reader's format.
function changeValue(v) {
  return /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(new Date(v).getTime()) ? fmtDateTime(v) : v;
}

// fieldLabel names a changed field: its own label, or for a credit-policy
// rate the category's name.
function fieldLabel(field) {
  if (known(`audit.field.${field}`)) return t(`audit.field.${field}`);
  if (known(`cat.${field}`)) return t('audit.field.rate', { category: t(`cat.${field}`) });
  return t('audit.field.other');
}

function changeLine(c) {
  return h('p', { class: 'audit-change', t: 'audit.change',
    targs: { field: fieldLabel(c.field), before: changeValue(c.before), after: changeValue(c.after) } });
}

// ids lists the entry's full IDs and recorded detail, on demand.
function idsDetails(e) {
  const rows = [
    ['audit.actorFull', e.actorId], ['audit.institutionFull', e.institutionId],
    ['audit.objectFull', e.objectId], ['audit.requestId', e.requestId], ['audit.rawDetail', e.detail],
  ].filter(([, v]) => v);
  if (!rows.length) return null;
  return h('details', { class: 'audit-ids' },
    h('summary', { t: 'audit.ids' }),
    h('dl', {}, rows.flatMap(([k, v]) => [h('dt', { t: k }), h('dd', {}, h('code', { class: 'hash', text: v }))])));
}

const PAGE = 50;

// rfc3339 turns a datetime-local value (the user's local time) into the
// RFC 3339 instant the API expects.
function rfc3339(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function entriesTable(items) {
  return table([
    { key: 'audit.at', cell: (e) => h('span', {}, date(e.at, true), h('span', { class: 'sub', text: `#${e.seq}` })) },
    { key: 'audit.action', cell: (e) => actionLabel(e.action) },
    { key: 'audit.actor', cell: (e) => h('span', { class: 'audit-actor' },
      h('strong', { text: e.actorName || '', data: { ownWords: '' } }),
      h('span', { class: 'sub', t: `role.${e.role || 'system'}` }),
      e.institutionName && e.role !== 'client' ? h('span', { class: 'sub', text: e.institutionName }) : null) },
    { key: 'audit.object', cell: (e) => h('span', { class: 'audit-object' },
      e.objectType ? h('span', { class: 'sub', t: known(`auditObject.${e.objectType}`) ? `auditObject.${e.objectType}` : 'audit.otherAction' }) : null,
      e.objectName ? h('strong', { text: e.objectName, data: { ownWords: '' } }) : (e.objectId ? h('span', { class: 'sub', t: 'audit.unnamed' }) : null)) },
    { key: 'audit.detail', cell: (e) => h('div', { class: 'audit-detail' },
      e.reason ? h('p', { class: 'audit-reason' }, tx('audit.reason'), ' ', h('span', { text: e.reason })) : null,
      ...(e.changes || []).map(changeLine),
      idsDetails(e)) },
    { key: 'audit.ip', cell: (e) => e.clientIp || '—' },
  ], items, 'audit.title');
}

function verifyResult(r) {
  return h('div', { class: `alert ${r.valid ? 'alert-success' : 'alert-error'}`, role: 'status', id: 'audit-verify-result' },
    h('p', { class: 'alert-title', t: r.valid ? 'audit.chainOk' : 'audit.chainBad' }),
    h('p', {}, tx('audit.entriesChecked'), ' ', num(r.entries || 0)),
    r.problem ? h('p', { class: 'alert-detail', text: r.problem }) : null);
}

export default {
  path: 'audit',
  nav: 'nav.audit',
  allowed: (me) => me?.role === 'admin',
  async render(view) {
    view.append(loading());
    let filter = '';
    let cursor = '';
    const items = [];
    const listSlot = h('div', {});
    const moreSlot = h('div', { class: 'actions' });
    const moreErr = h('div', {});
    const more = button('common.more', { kind: 'secondary' });

    const draw = () => {
      listSlot.replaceChildren(items.length ? entriesTable(items) : h('p', { class: 'empty', t: 'audit.none' }));
      moreSlot.replaceChildren(...(cursor ? [more] : []));
    };
    const load = async (reset) => {
      if (reset) {
        items.length = 0;
        cursor = '';
      }
      const page = await api.get(`/api/v1/audit?order=newest&limit=${PAGE}${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...(page.items || []));
      cursor = page.nextCursor || '';
      draw();
    };
    more.addEventListener('click', () => runAction(more, moreErr, () => load(false)));

    const actionPick = h('select', { name: 'action' },
      h('option', { value: '', t: 'audit.anyAction' }),
      ACTIONS.map((code) => h('option', { value: code, t: `auditAction.${code}` })));
    const instPick = h('select', { name: 'institution' },
      h('option', { value: '', t: 'audit.anyInstitution' }),
      (await institutions().catch(() => [])).map((i) => h('option', { value: i.id, text: i.name })));
    const form = h('form', { class: 'form filters', id: 'audit-filter' },
      formAlert(),
      h('div', { class: 'grid-3' },
        field({ name: 'action', label: 'audit.action', control: actionPick }),
        field({ name: 'institution', label: 'audit.institutionPick', control: instPick }),
        field({ name: 'actor', label: 'audit.actorId', attrs: { spellcheck: 'false' } }),
        field({ name: 'from', label: 'audit.from', type: 'datetime-local' }),
        field({ name: 'to', label: 'audit.to', type: 'datetime-local' })),
      h('div', { class: 'actions' }, button('audit.apply', { type: 'submit' })));
    onSubmit(form, async (data) => {
      const q = new URLSearchParams();
      for (const k of ['action', 'actor', 'institution']) {
        const v = String(data.get(k) || '').trim();
        if (v) q.set(k, v);
      }
      for (const k of ['from', 'to']) {
        const v = rfc3339(String(data.get(k) || ''));
        if (v) q.set(k, v);
      }
      filter = q.toString() ? `&${q}` : '';
      await load(true);
    });

    const verifySlot = h('div', {});
    const verify = button('audit.verify', { kind: 'secondary' });
    verify.id = 'audit-verify';
    verify.addEventListener('click', () => runAction(verify, verifySlot, async () => {
      verifySlot.append(verifyResult(await api.get('/api/v1/audit/verify')));
    }));

    try {
      await load(true);
    } catch (err) {
      listSlot.replaceChildren(alertFor(err));
    }
    view.replaceChildren(
      pageHeader('audit.title', 'audit.intro'),
      section('audit.chainTitle', h('p', { t: 'audit.chainIntro' }), verify, verifySlot),
      section('audit.filterTitle', form),
      section('audit.entries', listSlot, moreSlot, moreErr));
  },
};
