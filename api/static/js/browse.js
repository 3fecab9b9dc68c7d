// Browse: search and filter the stored achievements and demands, page through them, open one record and see its
// best matches. The state lives in the address (#/browse?kind=&q=&field=&region=&maturity=&page=), so the back
// button and bookmarks work.
import { query, request } from './api.js';
import { renderCards } from './cards.js';
import { clear, factList, factsOf, fillSelect, h, KIND_NAMES, money, notice, OPTIONS, SIDE } from './dom.js';
import { highlight, termsOf } from './highlight.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
const FILTERS = ['q', 'field', 'region', 'maturity'];
let lastBrowse = '#/browse';
let loads = 0; // answers for a view the user has already left are dropped

function stateOf(params) {
  const kind = params.get('kind') === 'demands' ? 'demands' : 'achievements';
  const page = Math.max(1, Number.parseInt(params.get('page'), 10) || 1);
  return { kind, page, ...Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ''])) };
}

function go(state) {
  location.hash = `#/browse${query(state)}`;
}

function formState(page = 1) {
  const form = $('browse-form').elements;
  return { kind: form.kind.value, page, ...Object.fromEntries(FILTERS.map((name) => [name, form[name].value.trim()])) };
}

function item(record, kind) {
  const side = SIDE[kind];
  const party = side === 'achievement' ? record.owner : record.company;
  const amount = side === 'achievement' ? `报价 ${money(record.price)}` : `预算 ${money(record.budget)}`;
  const meta = [record.field, record.region, record.maturity, party, amount].filter(Boolean).join(' · ');
  return h('li', {},
    h('a', { class: 'record-title', href: `#/record/${kind}/${encodeURIComponent(record.id)}` },
      h('span', { class: 'id' }, record.id), record.title || record.description.slice(0, 40)),
    h('p', { class: 'meta' }, meta));
}

export async function showBrowse(params) {
  const state = stateOf(params);
  lastBrowse = location.hash || '#/browse';
  const form = $('browse-form').elements;
  form.kind.value = state.kind;
  FILTERS.forEach((name) => { form[name].value = state[name]; });
  const status = $('browse-status');
  notice(status, 'info', '正在加载……');
  const mine = ++loads;
  try {
    const answer = await request(`/${state.kind}${query({ ...state, kind: null, page_size: PAGE_SIZE })}`);
    if (mine !== loads) return;
    const pages = Math.max(1, Math.ceil(answer.count / PAGE_SIZE));
    $('browse-list').replaceChildren(...answer.data.map((record) => item(record, state.kind)));
    $('page-info').textContent = `第 ${state.page} / ${pages} 页`;
    $('page-prev').disabled = state.page <= 1;
    $('page-next').disabled = state.page >= pages;
    $('page-prev').onclick = () => go({ ...state, page: state.page - 1 });
    $('page-next').onclick = () => go({ ...state, page: state.page + 1 });
    const name = KIND_NAMES[SIDE[state.kind]];
    if (!answer.count) notice(status, 'info', `没有符合条件的${name}。请换个关键词或清除部分条件。`);
    else if (!answer.data.length) notice(status, 'info', `共 ${answer.count} 条${name}，但没有第 ${state.page} 页。`, [], h('p', {}, h('a', { href: '#/browse' }, '回到第一页')));
    else notice(status, 'ok', `共 ${answer.count} 条${name}，第 ${state.page} / ${pages} 页。点击标题查看详情和最佳匹配。`);
  } catch (error) {
    if (mine !== loads) return;
    $('browse-list').replaceChildren();
    notice(status, 'error', `加载失败：${error.message}`, error.problems);
  }
}

export async function showRecord(kind, id) {
  const side = SIDE[kind];
  const status = $('record-status');
  $('record-back').href = lastBrowse;
  $('record-kind').textContent = KIND_NAMES[side];
  $('record-heading').textContent = '正在加载……';
  $('record-facts').replaceChildren();
  $('record-text').replaceChildren();
  $('record-matches').replaceChildren();
  clear($('record-matches-status'));
  $('record-matches-heading').hidden = true;
  clear(status);
  let record;
  const mine = ++loads;
  try {
    record = await request(`/${kind}/${encodeURIComponent(id)}`);
  } catch (error) {
    if (mine !== loads) return;
    $('record-heading').textContent = '没有找到这条记录';
    const message = error.status === 404 ? `没有编号为 ${id} 的${KIND_NAMES[side]}，可能已被删除。` : `加载失败：${error.message}`;
    notice(status, 'error', message, error.status === 404 ? [] : error.problems);
    return;
  }
  if (mine !== loads) return;
  $('record-matches-heading').hidden = false;
  $('record-kind').textContent = `${KIND_NAMES[side]} · ${record.id}`;
  $('record-heading').textContent = record.title || record.id;
  const extra = [['关键词', record.keywords.join('、')], ['联系人', record.contact], ['专利', (record.patent_numbers || []).join('、')]];
  $('record-facts').replaceChildren(...factList([...factsOf(record, side), ...extra.filter(([, v]) => v)]).children);
  $('record-text').replaceChildren(record.description);
  const other = side === 'achievement' ? '需求' : '成果';
  $('record-matches-heading').textContent = `最适合的${other}`;
  notice($('record-matches-status'), 'info', '正在匹配……');
  try {
    const answer = await request(`/${kind}/${encodeURIComponent(id)}/matches?k=10`);
    if (mine !== loads) return;
    const onFocusTerms = (terms) => $('record-text').replaceChildren(highlight(record.description, terms));
    renderCards($('record-matches'), answer.matches, { query: record, queryKind: side, prefix: 'rec', onFocusTerms });
    if (answer.matches.length) onFocusTerms(termsOf(answer.matches[0]));
    if (answer.matches.length) notice($('record-matches-status'), 'ok', `前 ${answer.matches.length} 条${other}，按匹配分从高到低。上方原文标出了与第 1 条共同的术语，选中其他结果可切换。`);
    else notice($('record-matches-status'), 'info', `还没有与它匹配的${other}。`);
  } catch (error) {
    notice($('record-matches-status'), 'error', `匹配失败：${error.message}`, error.problems);
  }
}

export function setUpBrowse() {
  fillSelect($('b-field'), OPTIONS.fields, '全部领域');
  fillSelect($('b-region'), OPTIONS.provinces, '全部地区');
  fillSelect($('b-maturity'), OPTIONS.maturities, '全部');
  const form = $('browse-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(formState());
  });
  form.addEventListener('change', (event) => {
    if (event.target.name !== 'q') go(formState()); // text waits for 搜索 or Enter
  });
  form.addEventListener('reset', (event) => {
    event.preventDefault();
    go({ kind: form.elements.kind.value });
  });
}
