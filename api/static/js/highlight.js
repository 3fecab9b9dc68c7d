// The shared terms, marked in a text. The engine returns terms normalised (NFKC, Latin lower-cased), so the text
// is normalised character by character and every hit mapped back to the original characters it came from.
import { h, OPTIONS } from './dom.js';

// Parts of the text score a reader skips: below 1 % a term is the generic tail (技术, 以上); a lone character,
// marked wherever it stands in a text, is worth it only from 4 %. (Pairs across two words, such as 度处, no
// longer come back from the engine: it folds them into the words they join.)
const SHARE = 0.01;
const SHARE_OF_A_CHARACTER = 0.04;
const MOST = 12;
const LABELS = new Set(OPTIONS.labels); // （单字）, （覆盖度） …: names of parts of the score, no text to mark

/** A term as it stands in the texts: a synonym reached by expansion (≈马铃薯) without its mark. */
function bare(term) {
  return term.startsWith(OPTIONS.expanded) ? term.slice(OPTIONS.expanded.length) : term;
}

/** The terms of a match worth showing, largest part first: not the tail, nor the labels of parts. */
export function termsOf(match) {
  const worth = (t) => t.weight >= (bare(t.term).length > 1 ? SHARE : SHARE_OF_A_CHARACTER) * match.text_score;
  return match.explanation.terms
    .filter((t) => t.term && !LABELS.has(bare(t.term)) && worth(t))
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
    const wanted = bare(term).normalize('NFKC').toLowerCase();
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
