// Talking to the techmatch API: JSON in and out, every failure turned into a Chinese sentence (never raw JSON),
// and the API key asked for once when the service wants one, kept in sessionStorage only.

const KEY = 'techmatch.apiKey';

const FIELD_NAMES = {
  id: '编号', title: '标题', description: '描述', keywords: '关键词', field: '技术领域', region: '地区',
  maturity: '成熟度', min_maturity: '成熟度', cooperation_modes: '合作方式', mode: '合作方式', owner: '单位',
  company: '企业', price: '报价', budget: '预算', max_price: '报价上限', min_budget: '预算下限', contact: '联系人',
  deadline: '截止日期', k: '显示条数', q: '关键词搜索', page: '页码', text: '文本', pairs: '候选清单',
};

const STATUS_MESSAGES = {
  401: '需要正确的 API 密钥。',
  404: '没有找到这条记录，可能已被删除。',
  409: '这个编号已经存在。',
  413: '内容太长或太多，服务拒绝了这次请求。',
  422: '有内容不符合要求，请修改后重试。',
  503: '数据库暂时不可用，请稍后重试。',
};

export class ApiError extends Error {
  constructor(message, status, problems = []) {
    super(message);
    this.status = status;
    this.problems = problems;
  }
}

function problemText(problem) {
  const name = problem.field.split('.').pop();
  const label = FIELD_NAMES[name] ? `${FIELD_NAMES[name]}（${name}）` : problem.field || '请求';
  const row = problem.row ? `第 ${problem.row} 行 ` : '';
  return `${row}${label}：${problem.message}`;
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null; // not JSON (a proxy's page, say): the status says enough
  }
  const problems = Array.isArray(body?.problems) ? body.problems.map(problemText) : [];
  const base = STATUS_MESSAGES[response.status] || `服务出错（HTTP ${response.status}），请稍后重试。`;
  const detail = !problems.length && typeof body?.detail === 'string' ? [body.detail] : [];
  return new ApiError(base, response.status, problems.length ? problems : detail);
}

async function send(path, method, body) {
  const headers = { Accept: 'application/json' };
  const key = sessionStorage.getItem(KEY);
  if (key) headers['X-API-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('无法连接到 techmatch 服务。请确认服务正在运行（make run）后重试。', 0);
  }
}

/** Ask for the key in the page's dialog; resolves to the key, or null when cancelled. */
export function askKey(message) {
  const dialog = document.getElementById('key-dialog');
  const input = document.getElementById('api-key');
  document.getElementById('key-note').textContent = message;
  input.value = '';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok' && input.value.trim() ? input.value.trim() : null);
    }, { once: true });
  });
}

/** fetch ``path``; JSON answer, or the Response itself with ``raw``. Throws ApiError with a readable message. */
export async function request(path, { method = 'GET', body, raw = false } = {}) {
  let response = await send(path, method, body);
  const wrong = '密钥不正确，请重新输入。';
  let message = sessionStorage.getItem(KEY) ? wrong
    : '这项操作需要服务的 API 密钥。密钥只保存在本浏览器会话中，关闭标签页后清除。';
  while (response.status === 401) {
    const key = await askKey(message);
    if (key === null) {
      sessionStorage.removeItem(KEY);
      throw new ApiError('没有输入 API 密钥，操作已取消。', 401);
    }
    sessionStorage.setItem(KEY, key);
    response = await send(path, method, body);
    message = wrong;
  }
  if (!response.ok) throw await errorOf(response);
  return raw ? response : response.json();
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== '' && value !== null && value !== undefined) search.append(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Save a blob as a file through a temporary link (the browser's download). */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
