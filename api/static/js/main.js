// The page's entry: sets the views up and shows the one the address names (#/match, #/browse, #/record/…, #/shortlist).
import { setUpBrowse, showBrowse, showRecord } from './browse.js';
import { setUpMatch } from './match.js';
import { renderShortlist, setUpShortlist } from './shortlist.js';

const VIEWS = ['match', 'browse', 'record', 'shortlist'];
const HEADINGS = { match: 'match-heading', browse: 'browse-heading', record: 'record-heading', shortlist: 'shortlist-heading' };
let first = true;

function show(view) {
  for (const name of VIEWS) document.getElementById(`view-${name}`).hidden = name !== view;
  const tab = view === 'record' ? 'browse' : view;
  document.querySelectorAll('.top nav a').forEach((link) => {
    if (link.dataset.view === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  if (!first) document.getElementById(HEADINGS[view]).focus(); // screen readers and keyboards land on the new view
  first = false;
}

function route() {
  const [path, search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [view, kind, id] = path.split('/');
  if (view === 'browse') {
    show('browse');
    showBrowse(new URLSearchParams(search));
  } else if (view === 'record' && ['achievements', 'demands'].includes(kind) && id) {
    show('record');
    showRecord(kind, decodeURIComponent(id));
  } else if (view === 'shortlist') {
    show('shortlist');
    renderShortlist();
  } else {
    show('match');
  }
}

document.getElementById('print-date').textContent = `techmatch 打印于 ${new Date().toLocaleString('zh-CN')}`;
setUpMatch();
setUpBrowse();
setUpShortlist();
window.addEventListener('hashchange', route);
route();
