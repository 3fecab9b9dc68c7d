// The shared terms, marked in a text. The engine returns terms normalised (NFKC, Latin lower-cased), so the text
// is normalised character by character and every hit mapped back to the original characters it came from.
import { h, OPTIONS } from './dom.js';

const SHARE = 0.04; // a term carrying less of the text score than this is noise to a reader
const MOST = 12;

/** The terms of a match worth showing, largest part first: not the tail, nor the label for single characters. */
export function termsOf(match) {
  const floor = SHARE * match.text_score;
  return match.explanation.terms
    .filter((t) => t.term && t.term !== OPTIONS.notATerm && t.weight >= floor)
    .slice(0, MOST)
    .map((t) => t.term);
}

function normalised(text) {
  let norm = '';
  const origin = []; // origin[j]: index in text of the character norm[j] came from
  for (let i = 0; i < text.length;) {
    const char = String.fromCodePoint(text.codePointAt(i));
    const part = char.normalize('NFKC').toLowerCase();
    for (let u = 0; u < part.length; u += 1) origin.push(i);
    norm += part;
    i += char.length;
  }
  return { norm, origin };
}

function hits(text, terms) {
  const hit = new Uint8Array(text.length);
  const { norm, origin } = normalised(text);
  for (const term of terms) {
    const wanted = term.normalize('NFKC').toLowerCase();
    for (let at = norm.indexOf(wanted); at !== -1 && wanted; at = norm.indexOf(wanted, at + wanted.length)) {
      for (let j = at; j < at + wanted.length; j += 1) {
        const start = origin[j];
        hit[start] = 1;
        if (text.codePointAt(start) > 0xffff) hit[start + 1] = 1;
      }
    }
  }
  return hit;
}

/** A fragment of ``text`` with every occurrence of ``terms`` wrapped in <mark>. */
export function highlight(text, terms) {
  const fragment = document.createDocumentFragment();
  if (!text) return fragment;
  const hit = hits(text, [...new Set(terms)]);
  for (let start = 0; start < text.length;) {
    let end = start;
    while (end < text.length && hit[end] === hit[start]) end += 1;
    const piece = text.slice(start, end);
    fragment.append(hit[start] ? h('mark', {}, piece) : piece);
    start = end;
  }
  return fragment;
}
