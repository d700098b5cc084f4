// Shared behaviour of forms and messages: error wording, field errors next
// to their inputs, busy submit buttons and flash messages.

import { h, tx, clear } from './dom.js';
import { t, has, hasOwn, fmtNumber, getLang } from './i18n.js';
import { ApiError } from './api.js';

// Every message comes from the dictionary, keyed by the API's error code
// (and the form's context for wording particular to one screen). The
// server's own message is English for API users: it is kept only in a
// closed "technical details" section, to quote to support.
function errorKey(err, contextKey) {
  if (contextKey && has(`${contextKey}.${err.code}`)) return `${contextKey}.${err.code}`;
  if (has(`err.${err.code}`)) return `err.${err.code}`;
  return 'err.unexpected';
}

export function reasonText(reason) {
  const key = `reason.${reason}`;
  return has(key) ? t(key) : t('problem.invalid');
}

// techDetails shows the code, the server's message and the request number
// behind a closed disclosure.
function techDetails(err) {
  if (!err.code || err.code === 'network') return null;
  return h('details', { class: 'tech-details' },
    h('summary', { t: 'err.tech' }),
    h('dl', { class: 'kv' },
      h('dt', { t: 'err.techCode' }), h('dd', { text: err.code }),
      err.message && err.message !== err.code ? [h('dt', { t: 'err.techMessage' }), h('dd', { text: err.message })] : null,
      err.requestId ? [h('dt', { t: 'err.techRequest' }), h('dd', { text: err.requestId })] : null));
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
  const key = errorKey(err, contextKey);
  if (err.retryAfter && has(`${key}Wait`)) {
    box.append(h('p', { class: 'alert-title', t: `${key}Wait`, targs: { wait: waitText(err.retryAfter) } }));
  } else {
    box.append(h('p', { class: 'alert-title', t: key }));
  }
  const tech = techDetails(err);
  if (tech) box.append(tech);
  return box;
}

const colon = () => (getLang() === 'zh' ? '：' : ': ');

// fieldLabel names an API field path in the reader's words: the label of
// the input that holds it, else the dictionary's name for the path without
// its indexes ("caps[1].maxCredits" → field.caps.maxCredits).
export function fieldLabel(form, path) {
  const slot = form ? slotFor(form, path) : null;
  const label = slot && slot.closest('.field') ? slot.closest('.field').querySelector('label') : null;
  if (label && label.textContent.trim()) return label.textContent.trim();
  const plain = String(path).replace(/\[\d+\]/g, '');
  const parts = plain.split('.');
  for (let i = parts.length; i > 0; i--) {
    const key = `field.${parts.slice(0, i).join('.')}`;
    if (has(key)) return t(key);
  }
  // A condition's own parts: "condition.items.items.minScore" is still a
  // condition's minimum score.
  const last = parts[parts.length - 1];
  if (has(`rule.m.${last}`)) return t(`rule.m.${last}`);
  if (has(`field.${last}`)) return t(`field.${last}`);
  return t('field.other');
}

// problemText words one field problem: by its code when the API gives one,
// else by its English reason when the dictionary knows it, else generally.
export function problemText(p, form) {
  if (p.text) return p.text;
  // A wording the dictionary keeps for this very reason is the most
  // particular ("an exemption rule needs the course it exempts").
  if (p.reason && hasOwn(`reason.${p.reason}`)) return t(`reason.${p.reason}`);
  const params = { ...(p.params || {}) };
  for (const k of ['min', 'max']) {
    if (typeof params[k] === 'number') params[k] = fmtNumber(params[k]);
  }
  if (params.other) params.other = fieldLabel(form, params.other);
  if (params.value !== undefined && has(`value.${params.value}`)) params.value = t(`value.${params.value}`);
  if (p.code) {
    let key = `problem.${p.code}`;
    if (p.code === 'greater_than' && p.params && p.params.max !== undefined) key = 'problem.greater_than.max';
    if (p.code === 'needs' && p.params && p.params.value !== undefined) key = 'problem.needs.value';
    if (p.code === 'too_long' && /(issuerIds|unitCodes|condition)$/.test(p.field || '')) key = 'problem.too_long.items';
    if (has(key)) return t(key, params);
  }
  return reasonText(p.reason);
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
  const candidates = [field, field.replace(/\[\d+\]$/, '')];
  for (let p = field.split('.').slice(0, -1); p.length; p = p.slice(0, -1)) {
    candidates.push(p.join('.'), p.join('.').replace(/\[\d+\]$/, ''));
  }
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
  // A problem placed on a parent slot names the part it concerns.
  if (!textKey && p.dataset.errorFor !== field && p.dataset.errorFor !== field.replace(/\[\d+\]$/, '')) {
    line.prepend(fieldLabel(null, field) + colon());
  }
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
    if (!setFieldError(form, p.field, problemText(p, form))) unplaced.push(p);
  }
  if (slot) {
    const box = alertFor(err, contextKey);
    if (unplaced.length) {
      box.append(h('p', { t: 'problem.unplaced' }),
        h('ul', {}, unplaced.map((p) => h('li', {}, fieldLabel(form, p.field) + colon(), problemText(p, form)))));
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
