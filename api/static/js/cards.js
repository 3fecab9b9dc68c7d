// One result card per match, best first: the record, its score, the reasons and the shared terms marked in its
// text, and a box to tick it into the shortlist.
import { factList, factsOf, h, KIND_NAMES, number } from './dom.js';
import { highlight, termsOf } from './highlight.js';
import { shortlist } from './shortlist.js';

const WARNINGS = ['成熟度不足', '报价超出预算'];
const LONG_TEXT = 110;

/** The pair a card stands for, in the shape POST /shortlist/export reads. */
function pairOf(match, query, queryKind) {
  const other = queryKind === 'demand' ? match.achievement : match.demand;
  const [demand, achievement] = queryKind === 'demand' ? [query, other] : [other, query];
  return { demand, achievement, score: match.score, reasons: match.explanation.reasons, terms: termsOf(match) };
}

function scoreBox(match, best) {
  const share = best > 0 ? Math.max(4, Math.round((100 * match.score) / best)) : 0;
  const boosts = Object.values(match.explanation.boosts).reduce((a, b) => a + b, 0);
  return h('div', { class: 'score', title: `文本相似度 ${number(match.text_score)}，加分 ${number(boosts)}` },
    '匹配分', h('strong', {}, match.score.toFixed(3)),
    h('div', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: `width:${share}%` })));
}

function textBlock(text, terms, id) {
  const body = h('p', { class: 'card-text', id }, highlight(text, terms));
  if (text.length <= LONG_TEXT) return [body];
  body.classList.add('clamp');
  const toggle = h('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'aria-controls': id },
    '展开全文');
  toggle.addEventListener('click', () => {
    const open = body.classList.toggle('clamp') === false;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? '收起' : '展开全文';
  });
  return [body, toggle];
}

function card(match, index, context) {
  const { query, queryKind, best, onFocusTerms } = context;
  const kind = queryKind === 'demand' ? 'achievement' : 'demand';
  const record = match[kind];
  const terms = termsOf(match);
  const pair = pairOf(match, query, queryKind);
  const id = `${context.prefix}-${index}`;
  const box = h('input', { type: 'checkbox', id: `${id}-pick` });
  box.checked = shortlist.has(pair);
  const item = h('li', { class: `card${box.checked ? ' picked' : ''}`, 'data-id': record.id },
    h('article', { 'aria-labelledby': `${id}-title` },
      h('div', { class: 'card-head' },
        h('span', { class: 'rank', 'aria-label': `第 ${index + 1} 名` }, String(index + 1)),
        h('h3', { id: `${id}-title` },
          h('a', { href: `#/record/${kind}s/${encodeURIComponent(record.id)}` }, highlight(record.title || record.id, terms))),
        scoreBox(match, best)),
      factList(factsOf(record, kind)),
      h('ul', { class: 'reasons', 'aria-label': '匹配理由' },
        match.explanation.reasons.map((r) => h('li', { class: WARNINGS.some((w) => r.startsWith(w)) ? 'warn' : 'ok' }, r))),
      terms.length
        ? h('p', { class: 'terms' }, h('span', {}, '共同术语：'), terms.slice(0, 8).map((t) => h('mark', {}, t)))
        : null,
      ...textBlock(record.description, terms, `${id}-text`),
      h('div', { class: 'card-foot' },
        h('label', { class: 'pick', for: `${id}-pick` }, box, '加入候选清单'),
        h('small', {}, `${KIND_NAMES[kind]} ${record.id}`))));
  box.addEventListener('change', () => {
    if (box.checked) shortlist.add(pair);
    else shortlist.remove(pair);
    item.classList.toggle('picked', box.checked);
  });
  if (onFocusTerms) {
    const show = () => onFocusTerms(terms, index);
    item.addEventListener('mouseenter', show);
    item.addEventListener('focusin', show);
  }
  return item;
}

/**
 * Fill ``list`` with cards for ``matches`` of ``query`` (a demand or an achievement, ``queryKind``).
 * ``onFocusTerms(terms, index)`` is told which card the user is looking at, to mark its terms in the query text.
 */
export function renderCards(list, matches, { query, queryKind, prefix, onFocusTerms }) {
  const best = matches.length ? matches[0].score : 0;
  const context = { query, queryKind, best, prefix, onFocusTerms };
  list.replaceChildren(...matches.map((match, index) => card(match, index, context)));
}
