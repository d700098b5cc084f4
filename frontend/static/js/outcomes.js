// How an outcome's result and status read, shared by the learner's record
// and the institution's issued list.

import { h, tx, badge, date } from './dom.js';

export function resultCell(o) {
  const r = o.result || {};
  if (r.score !== undefined && r.score !== null) return tx('result.scoreValue', { score: r.score });
  if (r.grade) return tx('result.gradeValue', { grade: r.grade });
  if (r.passed) return tx('result.passedValue');
  return '—';
}

export function statusCell(o) {
  if (o.status === 'revoked') {
    return h('span', { class: 'status-cell' }, badge('status.revoked', 'revoked'),
      o.revokedReason ? h('span', { class: 'sub', text: o.revokedReason }) : null);
  }
  if (o.expired) {
    return h('span', { class: 'status-cell' }, badge('status.expired', 'expired'),
      o.expiresOn ? h('span', { class: 'sub' }, date(o.expiresOn)) : null);
  }
  return h('span', { class: 'status-cell' }, badge('status.active', 'active'),
    o.expiresOn ? h('span', { class: 'sub' }, tx('outcome.validUntil'), ' ', date(o.expiresOn)) : null);
}
