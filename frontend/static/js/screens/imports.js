// Staff with the issue permission: bank many outcomes from a CSV saved
// from Excel, follow the job's progress and read the rows that failed.

import { h, tx, num, field, table, section } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, alertFor, runAction } from '../ui.js';
import { ApiError } from '../api.js';
import { has, t, getLang } from '../i18n.js';
import { date } from '../dom.js';
import { canIssue } from './issue.js';

// pollEvery is how long to wait between progress reads: quick enough that
// a small file looks instant, slow enough not to load the server.
const pollEvery = 700;

function counts(job) {
  const cells = [
    ['ok', 'import.ok', job.ok],
    ['duplicates', 'import.duplicates', job.duplicates],
    ['failed', 'import.failed', job.failed],
    ['created', 'import.created', job.created],
  ];
  return h('dl', { class: 'figures' }, cells.map(([key, label, value]) =>
    h('div', { class: ['figure', `figure-${key}`], data: { count: key } },
      h('dt', { t: label }), h('dd', {}, num(value || 0)))));
}

function errorsTable(errors) {
  return table([
    { key: 'import.line', class: 'n', cell: (e) => (e.line ? String(e.line) : '—') },
    { key: 'import.column', cell: (e) => e.column || '—' },
    { key: 'import.reason', cell: problemCell },
  ], errors, 'import.errors');
}

// problemCell words a row problem in the reader's language from its code
// (and, for a refused value, the field's own wording); a problem without
// a code (an interrupted job's note) shows the dictionary's words or the
// server's.
function problemCell(e) {
  if (e.code) {
    const own = `importErr.${e.code}.${e.field || ''}`;
    const key = has(own) ? own : `importErr.${e.code}`;
    if (has(key)) return h('span', { t: key, targs: { column: e.column || '' } });
  }
  if (has(`reason.${e.reason}`)) return h('span', { t: `reason.${e.reason}` });
  // A reason the dictionary does not word stays out of the Chinese page.
  return getLang() === 'en' ? h('span', { text: e.reason }) : h('span', { t: 'problem.invalid' });
}

// wordHeaderProblem puts a header problem that names a column (which the
// catalogue cannot hold word for word) into the reader's language.
function wordHeaderProblem(p) {
  let m = /^unknown column "(.*)" \(column (\d+) of the first line\)$/.exec(p.reason || '');
  if (m) {
    p.text = t('import.unknownColumn', { name: m[1], n: m[2] });
    return;
  }
  m = /^column "(.*)" appears twice$/.exec(p.reason || '');
  if (m) p.text = t('import.columnTwice', { name: m[1] });
}

// lineList names rows by their Excel row numbers.
function lineList(items) {
  return items.map((e) => e.line).join('、');
}

// progressView draws one reading of the job.
function progressView(job) {
  const finished = job.state === 'done' || job.state === 'failed';
  const bar = h('progress', { max: String(Math.max(job.total, 1)), value: String(job.done), id: 'import-progress-bar' });
  const out = [
    h('p', { class: 'import-state', id: 'import-state', data: { state: job.state } },
      h('span', { class: ['badge', finished ? (job.state === 'done' ? 'badge-approved' : 'badge-rejected') : 'badge-pending'], t: `import.state.${job.state}` }),
      ' ', tx('import.rows', { done: job.done, total: job.total })),
    h('label', { for: 'import-progress-bar', class: 'sr-only', t: 'import.progress' }),
    bar,
  ];
  if (finished) {
    out.push(counts(job));
    const all = job.errors || [];
    const examples = all.filter((e) => e.code === 'example');
    const duplicates = all.filter((e) => e.code === 'duplicate');
    const errors = all.filter((e) => e.code !== 'example' && e.code !== 'duplicate');
    if (examples.length) {
      out.push(h('p', { class: 'alert alert-info', id: 'import-skipped', t: 'import.skippedExample', targs: { lines: lineList(examples) } }));
    }
    if (duplicates.length) {
      out.push(h('p', { id: 'import-duplicates', t: 'import.duplicateLines', targs: { lines: lineList(duplicates) } }));
    }
    if (errors.length) {
      const dlWhere = h('div', {});
      const dl = button('import.downloadFailed', { kind: 'secondary' });
      dl.id = 'import-failed-csv';
      dl.addEventListener('click', () => runAction(dl, dlWhere, () =>
        api.downloadFile(`/api/v1/imports/${encodeURIComponent(job.id)}/failed.csv?lang=${getLang()}`, 'failed-rows.csv')));
      out.push(h('div', { id: 'import-errors' }, h('h3', { t: 'import.errors' }),
        h('p', { class: 'hint', t: 'import.downloadFailedHint' }), h('p', {}, dl), dlWhere, errorsTable(errors)));
    } else {
      out.push(h('p', { class: 'verified ok', id: 'import-errors-none' }, tx('import.noErrors')));
    }
  }
  return out;
}

export default {
  path: 'import',
  nav: 'nav.import',
  allowed: canIssue,
  render(view) {
    const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
    const file = h('input', { type: 'file', accept: '.csv,text/csv', name: 'file' });
    const form = h('form', { class: 'form', id: 'import-form' },
      formAlert(),
      field({ name: 'file', label: 'import.file', control: file, required: true }),
      h('div', { class: 'actions' }, button('import.submit', { type: 'submit' })));
    let polling = 0;

    const follow = async (job, token) => {
      result.replaceChildren(section('import.progress', ...progressView(job)));
      while (job.state !== 'done' && job.state !== 'failed') {
        await new Promise((r) => setTimeout(r, pollEvery));
        // A newer upload or leaving the page stops this loop.
        if (token !== polling || !result.isConnected) return;
        job = await api.get(`/api/v1/imports/${encodeURIComponent(job.id)}`);
        if (token !== polling) return;
        result.replaceChildren(section('import.progress', ...progressView(job)));
      }
    };

    onSubmit(form, async () => {
      const f = file.files && file.files[0];
      if (!f) throw new ApiError(422, 'invalid', '', [{ field: 'file', reason: 'choose a CSV file' }]);
      // The bytes go up untouched: the server decodes UTF-8 or GBK itself.
      const bytes = await f.arrayBuffer();
      let job;
      try {
        job = await api.post(`/api/v1/outcomes/import?fileName=${encodeURIComponent(f.name)}`, new api.Raw(bytes, 'text/csv'));
      } catch (err) {
        if (err instanceof ApiError) err.fieldProblems.forEach(wordHeaderProblem);
        throw err;
      }
      polling += 1;
      const token = polling;
      follow(job, token).then(() => loadHistory()).catch((err) => {
        if (token === polling) result.append(alertFor(err));
      });
    });

    // The institution's past imports, newest first: each can be opened
    // again, so a result is not lost with the page.
    const historySlot = h('div', { id: 'import-history' });
    const loadHistory = async () => {
      const page = await api.get('/api/v1/institutions/me/imports?limit=20');
      const items = page.items || [];
      historySlot.replaceChildren(items.length ? table([
        { key: 'import.when', cell: (j) => date(j.createdAt, true) },
        { key: 'import.who', cell: (j) => (j.createdBy ? h('span', { text: j.createdBy }) : h('span', { t: 'import.byClient' })) },
        { key: 'import.fileName', cell: (j) => h('span', { text: j.fileName || '—' }) },
        { key: 'import.state', cell: (j) => h('span', { t: `import.state.${j.state}` }) },
        { key: 'import.ok', class: 'n', cell: (j) => num(j.ok || 0) },
        { key: 'import.duplicates', class: 'n', cell: (j) => num(j.duplicates || 0) },
        { key: 'import.failed', class: 'n', cell: (j) => num(j.failed || 0) },
        { key: 'common.actions', cell: (j) => button('import.open', { kind: 'ghost', on: { click: () => {
          polling += 1;
          const token = polling;
          api.get(`/api/v1/imports/${encodeURIComponent(j.id)}`)
            .then((full) => follow(full, token))
            .then(() => result.scrollIntoView({ block: 'start' }))
            .catch((err) => result.replaceChildren(alertFor(err)));
        } } }) },
      ], items, 'import.history') : h('p', { class: 'empty', t: 'import.noHistory' }));
    };
    loadHistory().catch((err) => historySlot.replaceChildren(alertFor(err)));

    view.append(
      pageHeader('import.title', 'import.intro'),
      h('div', { class: 'card' },
        h('p', {}, h('a', { href: '/template-outcomes.csv', download: 'template-outcomes.csv', class: 'btn btn-secondary', id: 'import-template', t: 'import.template' })),
        h('p', { class: 'hint', t: 'import.templateHint' }),
        h('p', { class: 'hint', t: 'import.categoryHint' }),
        h('p', { class: 'hint', t: 'import.catalogueHint' }),
        form),
      result,
      section('import.history', historySlot));
  },
};
