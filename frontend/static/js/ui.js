// Shared behaviour of forms and messages: error wording, field errors next
// to their inputs, busy submit buttons and flash messages.

import { h, tx, clear } from './dom.js';
import { t, has } from './i18n.js';
import { ApiError } from './api.js';

// Codes whose plain-language wording the dictionary owns; for any other
// code the server's own message is shown.
const knownCodes = new Set([
  'network', 'unauthenticated', 'forbidden', 'not_found', 'rate_limited', 'invalid',
  'conflict', 'duplicate', 'internal', 'payload_too_large', 'idempotency_mismatch',
  'idempotency_in_progress',
]);

// serverDetail returns the server's message when it says more than the bare
// code word (e.g. "conflict\nan account already exists for this national ID").
function serverDetail(err) {
  const lines = String(err.message || '').split('\n').map((s) => s.trim()).filter(Boolean);
  const useful = lines.filter((l) => l !== err.code && l.toLowerCase() !== String(err.code).replace(/_/g, ' '));
  return useful.join(' ');
}

export function reasonText(reason) {
  const key = `reason.${reason}`;
  return has(key) ? t(key) : reason;
}

// waitText words a wait in seconds: seconds under two minutes, else whole
// minutes rounded up. It is {k, a} so a language switch re-words it.
function waitText(seconds) {
  return seconds < 120 ? { k: 'wait.seconds', a: { n: seconds } } : { k: 'wait.minutes', a: { n: Math.ceil(seconds / 60) } };
}

// alertFor renders an error as a message box read out by screen readers.
export function alertFor(err, contextKey) {
  const box = h('div', { class: 'alert alert-error', role: 'alert' });
  if (!err || typeof err !== 'object' || !('code' in err)) {
    box.append(h('p', { t: 'err.unexpected' }));
    return box;
  }
  let key = knownCodes.has(err.code) ? `err.${err.code}` : null;
  // A screen's own wording of a code says all there is to say, in the
  // reader's language; the server's English detail would only repeat it.
  const own = Boolean(contextKey && has(`${contextKey}.${err.code}`));
  if (own) key = `${contextKey}.${err.code}`;
  if (key && err.retryAfter && has(`${key}Wait`)) {
    box.append(h('p', { class: 'alert-title', t: `${key}Wait`, targs: { wait: waitText(err.retryAfter) } }));
  } else if (key) box.append(h('p', { class: 'alert-title', t: key }));
  const detail = serverDetail(err);
  if (detail && !own && err.code !== 'invalid' && err.code !== 'unauthenticated') {
    box.append(h('p', { class: key ? 'alert-detail' : 'alert-title', text: detail }));
  } else if (!key) {
    box.append(h('p', { class: 'alert-title', t: 'err.unexpected' }));
  }
  return box;
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => {
    p.hidden = true;
    p.textContent = '';
  });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.field.has-error').forEach((el) => el.classList.remove('has-error'));
  const slot = form.querySelector('.form-alert');
  if (slot) clear(slot);
}

// slotFor finds where an API field path belongs: the exact field, else its
// parent ("capabilities[0]" → "capabilities", "result.score" → "result").
function slotFor(form, field) {
  const candidates = [field, field.replace(/\[\d+\]$/, ''), field.split('.').slice(0, -1).join('.')];
  for (const c of candidates) {
    if (!c) continue;
    const p = form.querySelector(`.field-error[data-error-for="${CSS.escape(c)}"]`);
    if (p) return p;
  }
  return null;
}

export function setFieldError(form, field, text, textKey) {
  const p = slotFor(form, field);
  if (!p) return false;
  const line = textKey ? h('span', { t: textKey }) : h('span', { text });
  if (p.textContent) p.append(' ');
  p.append(line);
  p.hidden = false;
  const wrap = p.closest('.field');
  if (wrap) {
    wrap.classList.add('has-error');
    const input = wrap.querySelector('input, select, textarea');
    if (input) input.setAttribute('aria-invalid', 'true');
  }
  return true;
}

// showErrors puts each field problem next to its field and the overall
// message at the top of the form; the first bad field gets the focus.
export function showErrors(form, err, contextKey) {
  const slot = form.querySelector('.form-alert');
  const unplaced = [];
  const problems = err && err.fieldProblems ? err.fieldProblems : [];
  for (const p of problems) {
    const reasonKey = has(`reason.${p.reason}`) ? `reason.${p.reason}` : null;
    if (!setFieldError(form, p.field, p.reason, reasonKey)) unplaced.push(p);
  }
  if (slot) {
    const box = alertFor(err, contextKey);
    if (unplaced.length) {
      box.append(h('ul', {}, unplaced.map((p) => h('li', {}, `${p.field}: `, reasonText(p.reason)))));
    }
    slot.append(box);
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  else if (slot) slot.focus();
}

export function formAlert() {
  return h('div', { class: 'form-alert', tabindex: '-1' });
}

// requireFilled marks every empty required field at once. The server checks
// them too, but it reports some problems only after others are fixed, and a
// form that answers in rounds is hard work for anyone.
function requireFilled(form) {
  const empty = [...form.querySelectorAll('[aria-required="true"]')]
    .filter((el) => !el.closest('[hidden]') && !String(el.value).trim());
  for (const el of empty) setFieldError(form, el.closest('.field').dataset.field, '', 'common.required');
  if (empty.length) throw new ApiError(422, 'invalid', '', []);
}

// onSubmit wires a form: no page reload, the submit button disabled and
// labelled busy while the request runs, errors shown in place.
export function onSubmit(form, fn, contextKey) {
  form.noValidate = true;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const buttons = [...form.querySelectorAll('button[type="submit"]')];
    if (buttons.some((b) => b.disabled)) return;
    clearErrors(form);
    buttons.forEach((b) => {
      b.disabled = true;
      b.setAttribute('aria-busy', 'true');
    });
    form.setAttribute('aria-busy', 'true');
    try {
      requireFilled(form);
      await fn(new FormData(form));
    } catch (err) {
      showErrors(form, err, contextKey);
    } finally {
      buttons.forEach((b) => {
        b.disabled = false;
        b.removeAttribute('aria-busy');
      });
      form.removeAttribute('aria-busy');
    }
  });
}

// flash shows a message above the page until the next navigation.
export function flash(key, args, kind = 'success') {
  const area = document.getElementById('flash');
  clear(area);
  area.dataset.fresh = '1';
  area.append(h('div', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('p', { t: key, targs: args })));
}

export function clearFlash() {
  clear(document.getElementById('flash'));
}

// loading is the placeholder shown while a screen fetches its data.
export function loading() {
  return h('p', { class: 'loading', role: 'status' }, tx('busy.loading'));
}

export function pageHeader(titleKey, introKey, titleArgs) {
  return h('div', { class: 'page-header' },
    h('h1', { t: titleKey, targs: titleArgs, tabindex: '-1' }),
    introKey ? h('p', { class: 'lead', t: introKey }) : null);
}

export function button(key, opts = {}) {
  return h('button', { type: opts.type || 'button', class: ['btn', opts.kind ? `btn-${opts.kind}` : 'btn-primary'], t: key, on: opts.on, ...opts.attrs });
}

// runAction runs a button's request with the button disabled meanwhile and
// an error shown after it.
export async function runAction(btn, where, fn) {
  if (btn.disabled) return;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  clear(where);
  try {
    await fn();
  } catch (err) {
    where.append(alertFor(err));
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

// onLoadMore wires a "load more" button: disabled while the next page loads,
// and a failure shown in errSlot rather than thrown away.
export function onLoadMore(more, load, errSlot) {
  more.addEventListener('click', async () => {
    more.disabled = true;
    errSlot.replaceChildren();
    try {
      await load();
    } catch (err) {
      errSlot.append(alertFor(err));
    } finally {
      more.disabled = false;
    }
  });
}
