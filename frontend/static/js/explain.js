// Evaluation steps and shortfalls worded from their data in the reader's
// language. Every sentence is one dictionary key whose placeholders hold
// other keys' text ({k, a}), so a language switch re-words it whole. The
// server's Chinese messages, condition paths and step codes are never
// shown here; a reviewer finds codes under "technical details".

const k = (key, a) => ({ k: key, a });
const n = (x) => ({ num: Number(x) || 0 });
const cat = (c) => k(`cat.${c || 'other'}`);

// matchWhat describes what a condition item asks for.
export function matchWhat(m) {
  if (!m) return k('ex.m.any');
  const parts = [];
  if (m.category) parts.push(k('ex.m.category', { cat: cat(m.category) }));
  if (m.issuerIds && m.issuerIds.length === 1) parts.push(k('ex.m.issuer1'));
  else if (m.issuerIds && m.issuerIds.length > 1) parts.push(k('ex.m.issuerN', { n: m.issuerIds.length }));
  if (m.courseCode) parts.push(k('ex.m.course', { code: m.courseCode }));
  if (m.unitCodes && m.unitCodes.length) parts.push(k('ex.m.unit', { codes: { join: m.unitCodes, with: 'list.or' } }));
  if (m.titleContains) parts.push(k('ex.m.title', { text: m.titleContains }));
  if (m.minLevel) parts.push(k('ex.m.level', { n: m.minLevel }));
  if (m.minScore) parts.push(k('ex.m.score', { n: n(m.minScore) }));
  if (m.minCredits) parts.push(k('ex.m.credits', { n: n(m.minCredits) }));
  if (m.minHours) parts.push(k('ex.m.hours', { n: n(m.minHours) }));
  if (m.maxAgeYears) parts.push(k('ex.m.age', { n: m.maxAgeYears }));
  return parts.length ? { join: parts, with: 'ex.m.sep' } : k('ex.m.any');
}

function opText(item) {
  return k(`ex.op.${item.op || 'all'}`, { n: item.n || 0 });
}

// itemText names a part of the condition by its number in the rule.
export function itemText(item) {
  if (!item) return '';
  if (item.match) return k('ex.item', { n: item.number || '1', what: matchWhat(item.match) });
  if (!item.number) return k('ex.root', { op: opText(item) });
  return k('ex.group', { n: item.number, op: opText(item) });
}

function outcomeText(o) {
  return k('ex.outcome', { title: o.title, cat: cat(o.category), credits: n(o.credits) });
}

function outcomesText(list, more) {
  const items = (list || []).map(outcomeText);
  if (more) items.push(k('ex.more', { n: items.length + more }));
  return items;
}

function missText(m) {
  let key = `ex.miss.${m.field}`;
  const a = { have: m.have || '', want: m.want || '' };
  if (m.field === 'category') {
    a.have = cat(m.have);
    a.want = cat(m.want);
  }
  if (m.field === 'unit') {
    if (!m.have) key = 'ex.miss.unitNone';
    a.want = { join: String(m.want || '').split('、'), with: 'list.or' };
  }
  if (m.field === 'age') a.have = { date: m.have };
  if (['score', 'credits', 'hours'].includes(m.field)) {
    a.have = n(m.have);
    a.want = n(m.want);
  }
  return k('ex.miss', { title: m.title, why: k(key, a) });
}

// fallbackKey words a step recorded without its data (a conversion keeps
// only the code) by its kind and whether it held.
function fallbackKey(code) {
  const c = String(code || '');
  const head = c.split('.')[0];
  if (head === 'not_eligible') return 'ex.not_eligible';
  if (head === 'excluded') return c === 'excluded.revoked' || c === 'excluded.expired' ? `ex.code.${c}` : 'ex.code.excluded';
  if (head === 'match' || head === 'group' || head === 'total') return `ex.code.${head}.${c.endsWith('.ok') ? 'ok' : 'fail'}`;
  if (head === 'round' || head === 'award') return 'ex.code.award';
  const known = { candidates: 1, cap: 1, eligible: 1 };
  return known[head] ? `ex.code.${head}` : 'ex.code.other';
}

// stepText is {key, args} for one trace step, plus extra sentences (near
// misses, outcomes added to reach the total).
export function stepText(s) {
  const f = s.facts;
  const code = String(s.code || '');
  if (code === 'not_eligible') return [k('ex.not_eligible')];
  if (code === 'rule.invalid') return [k('ex.rule.invalid')];
  if (code === 'award.none') return [k('ex.award.none')];
  if (!f) return [k(fallbackKey(code))];
  const item = itemText(f.item);
  const first = (o) => (f.outcomes && f.outcomes[0] ? f.outcomes[0][o] : '');
  const date = f.date ? { date: String(f.date).slice(0, 10) } : '';
  switch (true) {
    case code === 'candidates':
      return [k('ex.candidates', { count: f.count, credits: n(f.credits) })];
    case code === 'excluded.revoked':
    case code === 'excluded.expired':
    case code === 'excluded.not_completed':
    case code === 'excluded.exclusive':
      return [k(`ex.${code}`, { title: first('title'), date, rule: f.rule || '' })];
    case code === 'excluded.duplicate':
      return [k(f.form === 'same_unit' ? 'ex.excluded.same_unit' : 'ex.excluded.counted',
        { title: first('title'), other: f.other || '', unit: f.unit || '', rule: f.rule || '' })];
    case code === 'match.ok' && f.form === 'used':
      return [k('ex.match.used', { item, outcome: outcomeText(f.outcomes[0]) })];
    case code === 'match.ok':
      return [k('ex.match.possible', { item, count: f.count, outcomes: outcomesText(f.outcomes, f.more) })];
    case code === 'match.fail': {
      const out = [k('ex.match.fail', { item })];
      if (f.misses && f.misses.length) out.push(k('ex.match.nearly', { misses: f.misses.map(missText) }));
      return out;
    }
    case code.startsWith('group.'):
      return [k(f.form === 'possible' ? 'ex.group.possible' : 'ex.group.held', { item, held: f.held, of: f.of, need: f.need })];
    case code === 'total.short':
      return [k('ex.total.short', { credits: n(f.credits), required: n(f.required) })];
    case code === 'total.ok': {
      const out = [k('ex.total.ok', { credits: n(f.credits), required: n(f.required) })];
      if (f.outcomes && f.outcomes.length) out.push(k('ex.total.extra', { outcomes: outcomesText(f.outcomes) }));
      return out;
    }
    case code === 'select.fail':
      return [k(f.form === 'search_limit' ? 'ex.select.search_limit' : 'ex.select.overlap')];
    case code === 'award.fixed':
      return [k('ex.award.fixed', { credits: n(f.credits) })];
    case code === 'award.sum':
      return [k('ex.award.sum', { ratio: n(f.ratio), from: n(f.from), raw: n(f.raw) })];
    case code === 'round.half':
      return [k('ex.round.half', { raw: n(f.raw), credits: n(f.credits) })];
    case code === 'cap.rule_per_year':
      return [k(`ex.rulecap.${f.form}`, capArgs(f))];
    case code.startsWith('cap.'):
      return [k(`ex.cap.${f.form}`, { ...capArgs(f), scope: k(`ex.scope.${f.scope || 'lifetime'}`, { year: f.year }) })];
    case code === 'eligible':
      return [k(f.form === 'qualifies' ? 'ex.eligible.qualifies' : 'ex.eligible.awarded',
        { count: f.count, credits: n(f.credits), from: n(f.from) })];
    default:
      return [k(fallbackKey(code))];
  }
}

function capArgs(f) {
  return { rule: f.rule || '', year: f.year || '', got: n(f.got), max: n(f.max), left: n(f.left), from: n(f.from), credits: n(f.credits) };
}

function partText(p) {
  if (p.item && p.item.match) return k('ex.short.leaf', { item: itemText(p.item) });
  return k('ex.short.group', { item: itemText(p.item), possible: p.possible || 0 });
}

function creditsText(sf) {
  const cats = sf.categories || [];
  const kinds = cats.length
    ? k('ex.short.kindsCat', { cats: { join: cats.map(cat), with: 'list.or' } })
    : k('ex.short.kindsAny');
  return k('ex.short.credits', { credits: n(sf.credits), kinds });
}

// shortfallText says what is missing, {k, a} for t.
export function shortfallText(sf) {
  if (!sf) return null;
  // A group that cannot be met comes before the items it lacks.
  const parts = [...(sf.missing || [])].sort((x, y) => Number(Boolean(x.item?.match)) - Number(Boolean(y.item?.match)));
  const items = () => k('ex.short.items', { parts: { join: parts.map(partText), with: 'ex.short.sep' } });
  switch (sf.reason) {
    case 'items': return items();
    case 'credits': return creditsText(sf);
    case 'items_and_credits': return k('ex.short.both', { items: items(), credits: creditsText(sf) });
    case 'cap': return k(`ex.short.cap.${sf.scope || 'lifetime'}`, { year: sf.year, max: n(sf.max) });
    case 'rule_cap': return k('ex.short.rule_cap', { year: sf.year, max: n(sf.max) });
    case 'search_limit':
    case 'overlap':
    case 'invalid_rule':
      return k(`ex.short.${sf.reason}`);
    default: return k('ex.short.unknown');
  }
}
