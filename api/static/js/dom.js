// Small DOM helpers. Elements are built with text nodes, never innerHTML, so record text is never parsed as HTML.

export const OPTIONS = JSON.parse(document.getElementById('options').textContent);

/** h('a', {href: '#', class: 'x', onclick: f}, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function fillSelect(select, values, emptyLabel) {
  select.replaceChildren(h('option', { value: '' }, emptyLabel), ...values.map((v) => h('option', { value: v }, v)));
}

export function number(value) {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

export function money(value) {
  return value === null || value === undefined ? '面议' : `${number(value)} 万元`;
}

export function modes(record) {
  return (record.cooperation_modes || []).join('、') || '未注明';
}

/** The facts a broker reads first, by kind: [label, value] pairs, empty values left out. */
export function factsOf(record, kind) {
  const facts = kind === 'achievement'
    ? [['单位', record.owner], ['地区', record.region], ['成熟度', record.maturity], ['合作方式', modes(record)],
      ['报价', money(record.price)], ['领域', record.field]]
    : [['企业', record.company], ['地区', record.region], ['需要成熟度', record.maturity ? `${record.maturity}及以上` : ''],
      ['合作方式', modes(record)], ['预算', money(record.budget)], ['截止', record.deadline], ['领域', record.field]];
  return facts.filter(([, value]) => value);
}

export function factList(facts) {
  return h('dl', { class: 'facts' }, facts.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))));
}

/** Show a message in a status area: kind is 'error', 'ok' or 'info'; problems is a list of strings. */
export function notice(area, kind, message, problems = [], ...extra) {
  const box = h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null },
    h('p', {}, message), problems.length ? h('ul', {}, problems.map((p) => h('li', {}, p))) : null, ...extra);
  area.replaceChildren(box);
  return box;
}

export function clear(area) {
  area.replaceChildren();
}

export const KIND_NAMES = { achievement: '科技成果', demand: '技术需求' };
export const SIDE = { achievements: 'achievement', demands: 'demand' };
