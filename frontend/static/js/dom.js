// Small DOM helpers. Every element is built with properties and listeners,
// never with HTML strings: the CSP forbids inline handlers and styles, and
// building nodes keeps server data from ever being parsed as markup.

import { t, fmtNumber, fmtDate, fmtDateTime } from './i18n.js';

// h builds an element. Props:
//   class, id, type, name, value, ... → set as properties or attributes
//   t: dictionary key for the text (re-translated on language switch)
//   targs: arguments for that key
//   tattr: {attribute: key} for translated attributes (aria-label, placeholder, title)
//   on: {event: handler}
//   data: {key: value} → dataset
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    switch (k) {
      case 'class':
        el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
        break;
      case 't':
        el.dataset.i18n = v;
        break;
      case 'targs':
        el.dataset.i18nArgs = JSON.stringify(v);
        break;
      case 'tattr':
        el.dataset.i18nAttr = JSON.stringify(v);
        break;
      case 'on':
        for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
        break;
      case 'data':
        for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = dv;
        break;
      case 'text':
        el.textContent = v;
        break;
      case 'for':
        el.htmlFor = v;
        break;
      default:
        if (v === true) el.setAttribute(k, '');
        else if (k in el && typeof v !== 'string') el[k] = v;
        else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  if (el.dataset.i18n || el.dataset.i18nAttr) translateNode(el);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// tx is a translated text fragment.
export function tx(key, args) {
  return h('span', { t: key, targs: args });
}

// num shows a number formatted for the current language and re-formats it
// when the language changes. opts.signed shows a leading + for positives.
export function num(value, opts = {}) {
  const el = h('span', { class: 'num', data: { num: String(value), numOpts: JSON.stringify(opts) } });
  el.textContent = fmtNumber(value, opts);
  return el;
}

// date shows a calendar date (YYYY-MM-DD) or, with withTime, an instant.
export function date(value, withTime = false) {
  if (!value) return h('span', { text: '—' });
  const el = h('time', { datetime: value, data: { date: value, dateTime: withTime ? '1' : '' } });
  el.textContent = withTime ? fmtDateTime(value) : fmtDate(value);
  return el;
}

// translateNode refreshes one element's translated text and attributes.
export function translateNode(el) {
  if (el.dataset.i18n) {
    const args = el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : undefined;
    el.textContent = t(el.dataset.i18n, args);
  }
  if (el.dataset.i18nAttr) {
    for (const [attr, key] of Object.entries(JSON.parse(el.dataset.i18nAttr))) {
      el.setAttribute(attr, t(key));
    }
  }
}

// translateTree re-renders every translated string, number and date under
// root in place, so switching language keeps whatever the user has typed.
export function translateTree(root = document) {
  root.querySelectorAll('[data-i18n], [data-i18n-attr]').forEach(translateNode);
  root.querySelectorAll('[data-i18n-label]').forEach((el) => {
    el.dataset.label = t(el.dataset.i18nLabel);
  });
  root.querySelectorAll('[data-num]').forEach((el) => {
    el.textContent = fmtNumber(Number(el.dataset.num), JSON.parse(el.dataset.numOpts || '{}'));
  });
  root.querySelectorAll('[data-date]').forEach((el) => {
    el.textContent = el.dataset.dateTime ? fmtDateTime(el.dataset.date) : fmtDate(el.dataset.date);
  });
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

let seq = 0;
export function uid(prefix) {
  seq += 1;
  return `${prefix}-${seq}`;
}

// field builds a labelled control with a hint and an error slot that
// showFieldErrors fills from the API's error.details. name is the API's
// field path (e.g. "learner.nationalId").
export function field({ name, label, type = 'text', hint, control, required, attrs = {} }) {
  const id = uid('f');
  const errId = `${id}-err`;
  const hintId = hint ? `${id}-hint` : null;
  const input = control || h('input', { type, name, ...attrs });
  input.id = id;
  if (!input.name) input.name = name;
  input.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  if (required) input.setAttribute('aria-required', 'true');
  return h('div', { class: 'field', data: { field: name } },
    h('label', { for: id, class: required ? 'required' : '' }, tx(label)),
    hint ? h('p', { class: 'hint', id: hintId, t: hint }) : null,
    input,
    h('p', { class: 'field-error', id: errId, hidden: true, data: { errorFor: name } }),
  );
}

// select builds a <select> from [value, labelKey] pairs.
export function select(name, options, attrs = {}) {
  return h('select', { name, ...attrs },
    options.map(([value, key]) => h('option', { value, t: key })));
}

export function checkboxGroup({ name, legend, options, checked = [] }) {
  return h('fieldset', { class: 'field checks', data: { field: name } },
    h('legend', { t: legend }),
    h('div', { class: 'check-row' },
      options.map(([value, key]) => {
        const id = uid('c');
        return h('span', { class: 'check' },
          h('input', { type: 'checkbox', id, name, value, checked: checked.includes(value) }),
          h('label', { for: id, t: key }));
      })),
    h('p', { class: 'field-error', hidden: true, data: { errorFor: name } }),
  );
}

export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

export function section(titleKey, ...children) {
  const id = uid('s');
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id, t: titleKey }),
    ...children);
}

// table renders rows with translated column headings. cols: [{key, cell(row), class}]
export function table(cols, rows, captionKey) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', tattr: captionKey ? { 'aria-label': captionKey } : undefined },
    h('table', {},
      captionKey ? h('caption', { class: 'sr-only', t: captionKey }) : null,
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.class, t: c.key })))),
      h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => {
        const td = h('td', { class: c.class }, c.cell(r));
        td.dataset.label = t(c.key);
        td.dataset.i18nLabel = c.key;
        // Text that institutions or people wrote themselves stays in their
        // language whatever the UI's.
        if (c.own) td.dataset.ownWords = '';
        return td;
      })))),
    ));
}

export function badge(key, kind) {
  return h('span', { class: ['badge', `badge-${kind}`], t: key });
}
