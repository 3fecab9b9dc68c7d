// The match page: a demand (or, reversed, an achievement) typed or pasted into the form, ranked without storing
// it (POST /demands:match, /achievements:match); filters re-rank at once; "保存到平台" stores it (needs the key).
import { query, request } from './api.js';
import { renderCards } from './cards.js';
import { clear, fillSelect, h, notice, OPTIONS } from './dom.js';
import { highlight, termsOf } from './highlight.js';

const $ = (id) => document.getElementById(id);

const EXAMPLES = {
  achievements: {
    title: '化工园区高盐废水COD深度处理',
    description: '我公司位于宜昌化工园区，生产过程中产生高盐有机废水，生化出水COD在150 mg/L左右，难以稳定达到排放标准。'
      + '希望引进成熟的深度处理技术（如催化臭氧氧化、芬顿或膜处理），吨水处理成本控制在10元以内，可以现场中试。',
    keywords: '废水处理、COD、高盐废水', field: '节能环保', region: '湖北省宜昌市', maturity: '中试',
    modes: ['技术转让', '技术服务'], money: '200', party: '宜昌某化工有限公司', contact: '',
  },
  demands: {
    title: '稻虾共作尾水生态净化系统',
    description: '面向稻虾综合种养区的尾水处理：通过生态沟渠、沉淀池和人工湿地组合净化克氏原螯虾养殖尾水，'
      + '氮磷去除率超过80%，建设和运行成本低，已在潜江示范应用。',
    keywords: '稻虾共作、尾水处理、人工湿地', field: '现代农业/健康养殖', region: '湖北省潜江市', maturity: '中试',
    modes: ['技术许可', '技术服务'], money: '', party: '长江大学', contact: '',
  },
};

const WORDS = {
  achievements: {
    heading: '技术需求', echo: '需求原文', party: '企业名称', maturity: '需要的成熟度（至少）', money: '预算（万元）',
    modes: '希望的合作方式', filterMoney: '报价上限（万元）', results: '成果', moneyFilter: 'max_price',
    hint: '粘贴或填写企业的技术需求，点击「匹配」查看最合适的科技成果和匹配理由。只有描述必填。',
  },
  demands: {
    heading: '科技成果', echo: '成果原文', party: '单位名称', maturity: '成果成熟度', money: '报价（万元）',
    modes: '可提供的合作方式', filterMoney: '预算下限（万元）', results: '需求', moneyFilter: 'min_budget',
    hint: '粘贴或填写一项科技成果，点击「匹配」查看想要它的企业技术需求。只有描述必填。',
  },
};

let last = null; // the record last matched, and its direction: filters re-rank it
let sequence = 0; // answers to older requests are dropped

const direction = () => $('query-form').elements.direction.value;

function relabel() {
  const words = WORDS[direction()];
  $('form-heading').textContent = words.heading;
  $('form-hint').textContent = words.hint;
  $('echo-heading').textContent = words.echo;
  $('q-maturity-label').textContent = words.maturity;
  $('q-money-label').textContent = words.money;
  $('q-modes-legend').textContent = words.modes;
  $('q-party-label').textContent = words.party;
  $('f-money-label').textContent = words.filterMoney;
}

function splitList(text) {
  return text.split(/[、,，;；|\s]+/).map((s) => s.trim()).filter(Boolean);
}

function newId(prefix) {
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}-${stamp}-${Math.random().toString(16).slice(2, 6).toUpperCase()}`;
}

/** The form as a record of the API's shape (Demand, or Achievement in the reverse direction). */
function recordFromForm(id) {
  const form = $('query-form').elements;
  const money = form.money.value.trim() === '' ? null : Number(form.money.value);
  const common = {
    id, title: form.title.value.trim(), description: form.description.value.trim(),
    keywords: splitList(form.keywords.value), field: form.field.value, region: form.region.value.trim(),
    maturity: form.maturity.value || null, contact: form.contact.value.trim(),
    cooperation_modes: [...$('q-modes').querySelectorAll('input:checked')].map((box) => box.value),
  };
  return direction() === 'achievements'
    ? { ...common, company: form.party.value.trim(), budget: money }
    : { ...common, owner: form.party.value.trim(), price: money };
}

function filterParams(dir) {
  const form = $('match-filters').elements;
  return {
    k: form.k.value, field: form.field.value, region: form.region.value, min_maturity: form.min_maturity.value,
    mode: form.mode.value, [WORDS[dir].moneyFilter]: form.money.value.trim(),
  };
}

function checkForm() {
  const form = $('query-form').elements;
  const problems = [];
  for (const input of [form.description, form.money]) input.removeAttribute('aria-invalid');
  if (!form.description.value.trim()) problems.push([form.description, '请填写描述：用几句话说明技术内容或要解决的问题。']);
  if (form.money.value.trim() && !(Number(form.money.value) >= 0)) problems.push([form.money, '金额需要是不小于 0 的数字（万元）。']);
  if (form.money.validity.badInput) problems.push([form.money, '金额需要是数字（万元）。']);
  problems.forEach(([input]) => input.setAttribute('aria-invalid', 'true'));
  if (problems.length) {
    notice($('form-status'), 'error', '请先修改：', problems.map(([, message]) => message));
    problems[0][0].focus();
  } else clear($('form-status'));
  return !problems.length;
}

function showEcho(record, terms, note) {
  $('query-echo').hidden = false;
  $('echo-title').replaceChildren(highlight(record.title, terms));
  $('echo-text').replaceChildren(highlight(record.description, terms));
  $('echo-note').textContent = note;
}

function emptyMessage(dir) {
  const active = Object.entries(filterParams(dir)).filter(([name, value]) => name !== 'k' && value);
  const hint = active.length ? '可以清除或放宽筛选条件，' : '';
  const reset = active.length
    ? h('p', {}, h('button', { type: 'button', onclick: () => $('match-filters').reset() }, '清除筛选'))
    : null;
  notice($('results-status'), 'info', `没有找到匹配的${WORDS[dir].results}。${hint}或在描述中补充更具体的技术词语。`, [], reset);
}

async function run() {
  if (!last) return;
  const { record, dir } = last;
  const mine = ++sequence;
  const list = $('result-list');
  list.setAttribute('aria-busy', 'true');
  notice($('results-status'), 'info', '正在匹配……');
  try {
    const path = dir === 'achievements' ? '/demands:match' : '/achievements:match';
    const answer = await request(path + query(filterParams(dir)), { method: 'POST', body: record });
    if (mine !== sequence) return;
    const queryKind = dir === 'achievements' ? 'demand' : 'achievement';
    const onFocusTerms = (terms, index) => showEcho(record, terms,
      `标出的是与第 ${index + 1} 条结果共同的术语；把鼠标移到其他结果上（或用 Tab 键选中）可切换。`);
    renderCards(list, answer.matches, { query: record, queryKind, prefix: 'result', onFocusTerms });
    if (answer.matches.length) onFocusTerms(termsOf(answer.matches[0]), 0);
    else $('query-echo').hidden = true;
    if (answer.matches.length) notice($('results-status'), 'ok', `找到 ${answer.matches.length} 条${WORDS[dir].results}，按匹配分从高到低排列。`);
    else emptyMessage(dir);
  } catch (error) {
    if (mine !== sequence) return;
    list.replaceChildren();
    notice($('results-status'), 'error', `匹配失败：${error.message}`, error.problems);
  } finally {
    if (mine === sequence) list.removeAttribute('aria-busy');
  }
}

function submit(event) {
  event.preventDefault();
  if (!checkForm()) return;
  last = { record: recordFromForm(newId('草稿')), dir: direction() };
  run().then(() => { // on a phone the results are below the form: bring them into view
    if (window.matchMedia('(max-width: 800px)').matches) $('results-status').scrollIntoView({ block: 'start' });
  });
}

async function save() {
  if (!checkForm()) return;
  const dir = direction();
  const record = recordFromForm(newId('WEB'));
  const status = $('form-status');
  notice(status, 'info', '正在保存……');
  try {
    const kind = dir === 'achievements' ? 'demands' : 'achievements';
    await request(`/${kind}`, { method: 'POST', body: record });
    const link = h('a', { href: `#/record/${kind}/${encodeURIComponent(record.id)}` }, `查看 ${record.id}`);
    notice(status, 'ok', `已保存为${WORDS[dir].heading}，编号 ${record.id}。`, [], h('p', {}, link));
    last = { record, dir };
    run();
  } catch (error) {
    notice(status, 'error', `保存失败：${error.message}`, error.problems);
  }
}

function fillExample() {
  const example = EXAMPLES[direction()];
  const form = $('query-form').elements;
  for (const name of ['title', 'description', 'keywords', 'field', 'region', 'maturity', 'money', 'party', 'contact']) {
    form[name].value = example[name];
  }
  $('q-modes').querySelectorAll('input').forEach((box) => { box.checked = example.modes.includes(box.value); });
  form.description.focus();
}

export function setUpMatch() {
  const { fields, provinces, maturities, modes } = OPTIONS;
  fillSelect($('q-field'), fields, '不限 / 未注明');
  fillSelect($('q-maturity'), maturities, '不限 / 未注明');
  fillSelect($('f-field'), fields, '全部领域');
  fillSelect($('f-region'), provinces, '全部地区');
  fillSelect($('f-maturity'), maturities, '不限');
  fillSelect($('f-mode'), modes, '不限');
  $('q-modes').replaceChildren(...modes.map((mode) => h('label', {}, h('input', { type: 'checkbox', value: mode }), mode)));
  $('province-list').replaceChildren(...provinces.map((p) => h('option', { value: p })));
  relabel();
  $('query-form').addEventListener('submit', submit);
  $('query-form').addEventListener('change', (event) => {
    if (event.target.name !== 'direction') return;
    relabel();
    last = null;
    $('result-list').replaceChildren();
    $('query-echo').hidden = true;
    notice($('results-status'), 'info', `已切换方向：填写${WORDS[direction()].heading}后点击「匹配」。`);
  });
  $('match-filters').addEventListener('change', run);
  $('match-filters').addEventListener('reset', () => setTimeout(run)); // after the form has reset its fields
  $('match-filters').addEventListener('submit', (event) => { event.preventDefault(); run(); });
  $('fill-example').addEventListener('click', fillExample);
  $('save-record').addEventListener('click', save);
  notice($('results-status'), 'info', '填写左侧的技术需求（或点「填入示例」），然后点击「匹配」。结果会按匹配分排列，并说明匹配理由。');
}
