// The rule editor's form: every field of a rule, the condition either as a
// form for one group of matches or as JSON for nested groups. Inputs are
// named by the API's JSON paths so that a 422's problems land next to them.

import { h, field, select, uid } from './dom.js';
import { t } from './i18n.js';
import { ApiError } from './api.js';
import { formAlert, button, problemText } from './ui.js';
import { CATEGORIES } from './lookups.js';

const MATCH_TEXT = ['courseCode', 'titleContains'];
const MATCH_NUM = ['minLevel', 'minScore', 'minCredits', 'minHours', 'maxAgeYears'];
const OPS = ['all', 'any', 'n_of'];

// districtDate turns an instant into the district's calendar date, which is
// how the API reads a date back.
function districtDate(s) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

function numberAttrs(value, step = '0.5') {
  return { min: '0', step, inputmode: 'decimal', value: value ? String(value) : '' };
}

// fitsForm reports whether the structured editor can show a condition
// without losing anything: one group of plain matches.
export function fitsForm(cond) {
  if (!cond) return true;
  return (cond.items || []).every((it) => !it.op && !it.items && !(it.issuerIds && it.issuerIds.length));
}

function matchRow(i, m, onRemove) {
  const p = `condition.items[${i}]`;
  const id = uid('m');
  return h('fieldset', { class: 'match-row', 'aria-labelledby': id, data: { index: String(i) } },
    h('legend', { id, t: 'rule.match', targs: { n: i + 1 } }),
    h('div', { class: 'grid-3' },
      field({ name: `${p}.category`, label: 'rule.m.category',
        control: h('select', { name: `${p}.category` },
          h('option', { value: '', t: 'rule.anyCategory' }),
          CATEGORIES.map((c) => h('option', { value: c, t: `cat.${c}`, selected: m.category === c }))) }),
      MATCH_TEXT.map((k) => field({ name: `${p}.${k}`, label: `rule.m.${k}`, attrs: { value: m[k] || '' } })),
      MATCH_NUM.map((k) => field({ name: `${p}.${k}`, label: `rule.m.${k}`, type: 'number',
        attrs: numberAttrs(m[k], k === 'minLevel' || k === 'maxAgeYears' ? '1' : '0.5') })),
      field({ name: `${p}.unitCodes`, label: 'rule.m.unitCodes', hint: 'rule.m.unitCodesHint', attrs: { value: (m.unitCodes || []).join(', ') } })),
    h('div', { class: 'actions' }, button('rule.removeMatch', { kind: 'danger-ghost', on: { click: onRemove } })),
    h('p', { class: 'field-error', hidden: true, data: { errorFor: p } }));
}

// conditionEditor keeps the condition in one of two modes and can always
// read it back as the API's JSON.
function conditionEditor(initial) {
  let mode = fitsForm(initial) ? 'form' : 'json';
  let matches = (initial?.items || []).map((m) => ({ ...m }));
  if (!matches.length) matches = [{}];
  const op = select('condition.op', OPS.map((o) => [o, `op.${o}`]));
  op.value = initial?.op || 'all';
  const nField = field({ name: 'condition.n', label: 'rule.n', type: 'number', attrs: { min: '1', step: '1', value: initial?.n ? String(initial.n) : '2' } });
  const rows = h('div', { class: 'match-rows' });
  const jsonArea = h('textarea', { rows: '12', class: 'json', spellcheck: 'false' });
  jsonArea.value = JSON.stringify(initial || { op: 'all', items: [{}] }, null, 2);
  const body = h('div', {});
  const toggle = button('rule.jsonMode', { kind: 'secondary', attrs: { id: 'rule-mode' } });
  const nestedNote = h('p', { class: 'alert alert-warning', t: 'rule.nestedNote' });

  const readMatches = () => [...rows.querySelectorAll('.match-row')].map((row) => {
    const m = {};
    const i = row.dataset.index;
    const val = (k) => row.querySelector(`[name="condition.items[${i}].${k}"]`).value.trim();
    if (val('category')) m.category = val('category');
    for (const k of MATCH_TEXT) if (val(k)) m[k] = val(k);
    for (const k of MATCH_NUM) if (val(k) !== '') m[k] = Number(val(k));
    const units = val('unitCodes').split(/[\s,，、]+/).filter(Boolean);
    if (units.length) m.unitCodes = units;
    return m;
  });
  const drawRows = () => {
    rows.replaceChildren(...matches.map((m, i) => matchRow(i, m, () => {
      matches = readMatches();
      matches.splice(i, 1);
      drawRows();
    })));
  };
  const showN = () => { nField.hidden = op.value !== 'n_of'; };
  op.addEventListener('change', showN);

  const fromForm = () => {
    const g = { op: op.value, items: readMatches() };
    if (op.value === 'n_of') g.n = Number(nField.querySelector('input').value);
    return g;
  };
  const draw = () => {
    if (mode === 'form') {
      drawRows();
      showN();
      body.replaceChildren(
        field({ name: 'condition.op', label: 'rule.op', control: op }),
        nField,
        rows,
        h('div', { class: 'actions' }, button('rule.addMatch', { kind: 'secondary', on: { click: () => {
          matches = readMatches();
          matches.push({});
          drawRows();
        } } })),
        h('p', { class: 'field-error', hidden: true, data: { errorFor: 'condition' } }));
      toggle.dataset.i18n = 'rule.jsonMode';
    } else {
      const parts = [field({ name: 'condition', label: 'rule.conditionJson', hint: 'rule.jsonHint', control: jsonArea })];
      if (!fitsForm(safeParse(jsonArea.value))) parts.unshift(nestedNote);
      body.replaceChildren(...parts);
      toggle.dataset.i18n = 'rule.formMode';
    }
    toggle.textContent = t(toggle.dataset.i18n);
  };
  toggle.addEventListener('click', () => {
    if (mode === 'form') {
      jsonArea.value = JSON.stringify(fromForm(), null, 2);
      mode = 'json';
    } else {
      const parsed = safeParse(jsonArea.value);
      // Switching back would drop what the form cannot show; stay in JSON.
      if (!parsed || !fitsForm(parsed)) {
        draw();
        return;
      }
      op.value = parsed.op || 'all';
      if (parsed.n) nField.querySelector('input').value = String(parsed.n);
      matches = (parsed.items || []).map((m) => ({ ...m }));
      mode = 'form';
    }
    draw();
  });
  draw();

  return {
    node: h('div', { class: 'condition-editor' }, h('div', { class: 'actions' }, toggle), body),
    get mode() {
      return mode;
    },
    read() {
      if (mode === 'form') return fromForm();
      const parsed = safeParse(jsonArea.value);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ApiError(422, 'invalid', '', [{ field: 'condition', reason: 'not valid JSON' }]);
      }
      return parsed;
    },
  };
}

function safeParse(s) {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

// ruleForm builds the editor for rule (or a new one). convertInsts is the
// choice of institution for an admin; staff write for their own.
export function ruleForm(rule, { convertInsts, readOnly }) {
  const r = rule || { purpose: 'exemption', approval: 'manual', exclusive: true, award: { mode: 'fixed' }, caps: [] };
  const cond = conditionEditor(r.condition);
  const capOf = (scope) => (r.caps || []).find((c) => c.scope === scope)?.maxCredits;

  const purpose = select('purpose', [['exemption', 'purpose.exemption'], ['admission', 'purpose.admission'], ['credit', 'purpose.credit']]);
  purpose.value = r.purpose;
  const approval = select('approval', [['manual', 'approval.manual'], ['auto', 'approval.auto']]);
  approval.value = r.approval;
  const awardMode = select('award.mode', [['', 'award.none'], ['fixed', 'award.fixed'], ['sum', 'award.sum']]);
  awardMode.value = r.award?.mode || '';
  const awardCredits = field({ name: 'award.credits', label: 'rule.awardCredits', type: 'number', attrs: numberAttrs(r.award?.credits) });
  const awardRatio = field({ name: 'award.ratio', label: 'rule.awardRatio', type: 'number',
    attrs: { min: '0', max: '1', step: '0.05', inputmode: 'decimal', value: r.award?.ratio ? String(r.award.ratio) : '' } });
  const showAward = () => {
    awardCredits.hidden = awardMode.value !== 'fixed';
    awardRatio.hidden = awardMode.value !== 'sum';
  };
  awardMode.addEventListener('change', showAward);
  showAward();

  let instField = null;
  if (convertInsts && !rule) {
    instField = field({ name: 'institutionId', label: 'rule.institution', required: true,
      control: h('select', { name: 'institutionId' }, convertInsts.map((i) => h('option', { value: i.id, text: i.name }))) });
  }
  const exclusiveId = uid('c');
  const form = h('form', { class: 'form', id: 'rule-form' },
    formAlert(),
    h('fieldset', { class: 'field-group' },
      h('legend', { t: 'rule.basics' }),
      h('div', { class: 'grid-2' },
        field({ name: 'code', label: 'rule.code', hint: 'rule.codeHint', required: !rule,
          attrs: { value: r.code || '', readonly: Boolean(rule), autocapitalize: 'characters', spellcheck: 'false' } }),
        field({ name: 'name', label: 'rule.name', required: true, attrs: { value: r.name || '', maxlength: '100' } })),
      field({ name: 'description', label: 'rule.description', control: h('textarea', { rows: '3', maxlength: '2000', text: r.description || '' }) }),
      instField,
      h('div', { class: 'grid-2' },
        field({ name: 'purpose', label: 'rule.purpose', control: purpose }),
        field({ name: 'approval', label: 'rule.approval', control: approval }))),
    h('fieldset', { class: 'field-group' },
      h('legend', { t: 'rule.target' }),
      h('div', { class: 'grid-3' },
        field({ name: 'target.courseCode', label: 'rule.targetCourse', attrs: { value: r.target?.courseCode || '' } }),
        field({ name: 'target.programCode', label: 'rule.targetProgram', attrs: { value: r.target?.programCode || '' } }),
        field({ name: 'target.credits', label: 'rule.targetCredits', type: 'number', attrs: numberAttrs(r.target?.credits) }))),
    h('fieldset', { class: 'field-group' },
      h('legend', { t: 'rule.condition' }),
      h('p', { class: 'hint', t: 'rule.conditionHint' }),
      cond.node),
    h('fieldset', { class: 'field-group' },
      h('legend', { t: 'rule.amount' }),
      h('div', { class: 'grid-3' },
        field({ name: 'minTotalCredits', label: 'rule.minTotal', type: 'number', attrs: numberAttrs(r.minTotalCredits) }),
        field({ name: 'award.mode', label: 'rule.awardMode', control: awardMode }),
        awardCredits, awardRatio),
      h('div', { class: 'grid-3' },
        field({ name: 'caps.per_year', label: 'rule.capYear', hint: 'rule.capInstHint', type: 'number', attrs: numberAttrs(capOf('per_year')) }),
        field({ name: 'caps.lifetime', label: 'rule.capLifetime', hint: 'rule.capInstHint', type: 'number', attrs: numberAttrs(capOf('lifetime')) }),
        field({ name: 'capPerYear', label: 'rule.capPerYearRule', hint: 'rule.capPerYearRuleHint', type: 'number', attrs: numberAttrs(r.capPerYear) })),
      h('div', { class: 'field check', data: { field: 'exclusive' } },
        h('input', { type: 'checkbox', id: exclusiveId, name: 'exclusive', checked: Boolean(r.exclusive) }),
        h('label', { for: exclusiveId, t: 'rule.exclusive' })),
      h('p', { class: 'field-error', hidden: true, data: { errorFor: 'caps' } })),
    h('fieldset', { class: 'field-group' },
      h('legend', { t: 'rule.period' }),
      h('div', { class: 'grid-2' },
        field({ name: 'effectiveFrom', label: 'rule.effectiveFrom', type: 'date', attrs: { value: districtDate(r.effectiveFrom) } }),
        field({ name: 'effectiveTo', label: 'rule.effectiveTo', type: 'date', attrs: { value: districtDate(r.effectiveTo) } })),
      field({ name: 'noticeDays', label: 'rule.noticeDays', hint: 'rule.noticeDaysHint', type: 'number',
        attrs: { min: '0', max: '60', step: '1', inputmode: 'numeric', value: r.noticeDays ? String(r.noticeDays) : '' } })),
    h('div', { class: 'actions' },
      readOnly ? null : button(rule && rule.status === 'published' ? 'rule.saveNewVersion' : 'rule.save', { type: 'submit' })));
  if (readOnly) form.querySelectorAll('input, select, textarea, .match-row button, #rule-mode').forEach((el) => { el.disabled = true; });

  // read builds the request body and remembers which cap went where, so
  // that "caps[1].maxCredits" finds its input.
  const capIndex = [];
  function read() {
    const data = new FormData(form);
    const str = (k) => String(data.get(k) ?? '').trim();
    const n = (k) => (str(k) === '' ? 0 : Number(str(k)));
    const body = {
      code: str('code').toUpperCase(),
      name: str('name'),
      description: str('description'),
      purpose: str('purpose'),
      target: {},
      condition: cond.read(),
      minTotalCredits: n('minTotalCredits'),
      award: { mode: str('award.mode') },
      caps: [],
      exclusive: data.get('exclusive') !== null,
      approval: str('approval'),
      capPerYear: n('capPerYear'),
      noticeDays: n('noticeDays'),
      effectiveFrom: str('effectiveFrom'),
      effectiveTo: str('effectiveTo'),
    };
    if (str('institutionId')) body.institutionId = str('institutionId');
    if (str('target.courseCode')) body.target.courseCode = str('target.courseCode');
    if (str('target.programCode')) body.target.programCode = str('target.programCode');
    if (n('target.credits')) body.target.credits = n('target.credits');
    if (body.award.mode === 'fixed') body.award.credits = n('award.credits');
    if (body.award.mode === 'sum') body.award.ratio = n('award.ratio');
    capIndex.length = 0;
    for (const scope of ['per_year', 'lifetime']) {
      if (str(`caps.${scope}`) !== '') {
        body.caps.push({ scope, maxCredits: n(`caps.${scope}`) });
        capIndex.push(scope);
      }
    }
    return body;
  }

  // placeProblems rewrites the API's paths to the inputs that hold them.
  function placeProblems(err) {
    if (!err || !Array.isArray(err.details)) return err;
    err.details = err.details.map((p) => {
      if (!p || !p.field) return p;
      const cap = /^caps\[(\d+)\]/.exec(p.field);
      if (cap && capIndex[Number(cap[1])]) return { ...p, field: `caps.${capIndex[Number(cap[1])]}` };
      if (cond.mode === 'json' && p.field.startsWith('condition.')) {
        return { field: 'condition', code: 'json', text: `${p.field}: ${problemText(p, form)}` };
      }
      return p;
    });
    return err;
  }

  return { form, read, placeProblems };
}
