// The broker's shortlist: ticked (demand, achievement) pairs, kept in localStorage, exported as XLSX or CSV
// by the service (POST /shortlist/export), printable.
import { download, request } from './api.js';
import { clear, h, notice, number } from './dom.js';

const STORE = 'techmatch.shortlist';
const listeners = new Set();

function load() {
  try {
    const pairs = JSON.parse(localStorage.getItem(STORE) || '[]');
    return Array.isArray(pairs) ? pairs : [];
  } catch {
    return [];
  }
}

let pairs = load();

const keyOf = (pair) => `${pair.demand.id}\u0000${pair.achievement.id}`;

function save() {
  localStorage.setItem(STORE, JSON.stringify(pairs));
  listeners.forEach((listener) => listener(pairs));
}

export const shortlist = {
  has: (pair) => pairs.some((p) => keyOf(p) === keyOf(pair)),
  add(pair) {
    if (!this.has(pair)) pairs = [...pairs, pair];
    save();
  },
  remove(pair) {
    pairs = pairs.filter((p) => keyOf(p) !== keyOf(pair));
    save();
  },
  clear() {
    pairs = [];
    save();
  },
  get size() {
    return pairs.length;
  },
  onChange(listener) {
    listeners.add(listener);
  },
};

window.addEventListener('storage', (event) => { // another tab changed it
  if (event.key === STORE) {
    pairs = load();
    listeners.forEach((listener) => listener(pairs));
  }
});

const $ = (id) => document.getElementById(id);

function recordCell(record, party, label) {
  const details = [record.id, party, record.region].filter(Boolean).join(' · ');
  return h('td', { 'data-label': label }, record.title || record.id, h('small', {}, details));
}

function row(pair, index) {
  return h('tr', {},
    h('td', { 'data-label': '#' }, String(index + 1)),
    recordCell(pair.demand, pair.demand.company, '技术需求'),
    recordCell(pair.achievement, pair.achievement.owner, '科技成果'),
    h('td', { 'data-label': '匹配分' }, pair.score === null || pair.score === undefined ? '' : number(pair.score)),
    h('td', { 'data-label': '匹配理由' }, pair.reasons.join('；')),
    h('td', { class: 'no-print' }, h('button', {
      type: 'button', class: 'link-button', 'aria-label': `从清单移除第 ${index + 1} 条`,
      onclick: () => {
        shortlist.remove(pair);
        $('shortlist-heading').focus();
      },
    }, '移除')));
}

export function renderShortlist() {
  const empty = !pairs.length;
  $('shortlist-table').querySelector('tbody').replaceChildren(...pairs.map(row));
  $('shortlist-table').parentElement.hidden = empty;
  for (const id of ['export-xlsx', 'export-csv', 'print-shortlist', 'clear-shortlist']) $(id).disabled = empty;
  if (empty) notice($('shortlist-status'), 'info', '候选清单是空的。在匹配结果或记录页中勾选「加入候选清单」，再回到这里导出或打印。');
  else if ($('shortlist-status').querySelector('.info')) clear($('shortlist-status'));
}

async function exportAs(format) {
  const status = $('shortlist-status');
  notice(status, 'info', '正在生成文件……');
  try {
    const response = await request(`/shortlist/export?format=${format}`, { method: 'POST', body: { pairs }, raw: true });
    const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '')?.[1] || `shortlist.${format}`;
    download(await response.blob(), name);
    notice(status, 'ok', `已导出 ${pairs.length} 条配对：${name}`);
  } catch (error) {
    notice(status, 'error', `导出失败：${error.message}`, error.problems || []);
  }
}

export function setUpShortlist() {
  const count = $('shortlist-count');
  const update = () => {
    count.textContent = String(pairs.length);
    renderShortlist();
  };
  shortlist.onChange(update);
  update();
  $('export-xlsx').addEventListener('click', () => exportAs('xlsx'));
  $('export-csv').addEventListener('click', () => exportAs('csv'));
  $('print-shortlist').addEventListener('click', () => window.print());
  $('clear-shortlist').addEventListener('click', () => {
    if (window.confirm(`清空候选清单中的 ${pairs.length} 条配对？`)) shortlist.clear();
  });
}
