// Golden vectors for dev.besworker.emulator.FeatureHasher, computed independently of the Java
// code with the npm package `murmurhash` (2.0.1, pinned in package.json).
//
// Run from the project folder (or set BES_WORKER_AZURITE_HOME to a folder holding node_modules):
//   node src/test/resources/golden/make-golden.mjs
// It rewrites feature-hashing.csv next to this script. Columns:
//   text      the input text (CSV-quoted; may hold tabs, newlines, quotes, unicode)
//   bits      hash bit size
//   ngrams    1 or 2
//   hashes    unsigned murmur3_x86_32 (seed 0) of each token's UTF-8 bytes, space separated
//   features  the non-zero features as bucket:count, ascending by bucket, space separated
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const roots = [process.cwd(), here, process.env.BES_WORKER_AZURITE_HOME].filter(Boolean);
let murmur;
for (const root of roots) {
  try {
    murmur = createRequire(join(root, 'package.json'))('murmurhash');
    break;
  } catch (notHere) { /* try the next root */ }
}
if (!murmur) {
  throw new Error('murmurhash is not installed: run npm install in the project folder');
}

const encoder = new TextEncoder();
const TWO_32 = 4294967296n;

// ASCII whitespace only: JavaScript's \s would also split on unicode spaces.
const tokens = (text) => text.split(/[ \t\n\u000b\f\r]+/).filter((t) => t.length > 0);
const unigram = (token) => murmur.v3(encoder.encode(token), 0);
const bigram = (a, b) => Number((BigInt(a) * 27942141n + BigInt(b)) % TWO_32);
const bucket = (h, bits) => h % 2 ** bits;

function features(text, bits, ngrams) {
  const hashes = tokens(text).map(unigram);
  const counts = new Map();
  const add = (h) => counts.set(bucket(h, bits), (counts.get(bucket(h, bits)) ?? 0) + 1);
  hashes.forEach((h, i) => {
    add(h);
    if (ngrams === 2 && i > 0) {
      add(bigram(hashes[i - 1], h));
    }
  });
  return {
    hashes,
    sparse: [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([b, c]) => `${b}:${c}`),
  };
}

// A deterministic long text (LCG), so reruns give the same file.
function longText(words) {
  const vocabulary = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'Azure', 'ML', 'batch', 'job',
    'Ünïcödé', '数据', 'emoji😀', '-', '42', 'x'];
  let seed = 12345;
  const out = [];
  for (let i = 0; i < words; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out.push(vocabulary[seed % vocabulary.length]);
  }
  return out.join(' ');
}

const texts = [
  'This is a good day',
  'This is a bad day',
  '',
  ' ',
  'word',
  'Word',
  'WORD',
  'a',
  'ab',
  'abc',
  'abcd',
  'abcde',
  'repeat repeat repeat repeat',
  'the the the the the the the the the the',
  'Hello, world! How are you?',
  "it's (quoted) \"text\" with; punctuation: yes...",
  '   leading and trailing spaces   ',
  'multiple     spaces\tand\ttabs',
  'line one\nline two\r\nline three',
  'vertical\u000btab and form\ffeed',
  'café naïve résumé',
  '日本語 のテキスト です',
  'Привет мир',
  'emoji 😀 🎉 ok',
  'mixed ASCII和中文 text',
  'non\u00a0breaking space stays inside a token',
  '12345 67890 3.14159 -1',
  'comma,separated,values,in,one,token',
  longText(40),
  longText(500),
];

const configs = [[3, 2], [3, 1], [1, 2], [10, 2], [16, 1], [31, 2]];
const quote = (s) => `"${s.replace(/"/g, '""')}"`;

const lines = ['text,bits,ngrams,hashes,features'];
for (const text of texts) {
  for (const [bits, ngrams] of configs) {
    const { hashes, sparse } = features(text, bits, ngrams);
    lines.push([quote(text), bits, ngrams, quote(hashes.join(' ')), quote(sparse.join(' '))].join(','));
  }
}
const target = join(here, 'feature-hashing.csv');
writeFileSync(target, lines.join('\n') + '\n', 'utf8');

const check = features('This is a good day', 3, 2).sparse.join(' ');
if (check !== '0:1 1:1 2:2 3:2 5:2 7:1') {
  throw new Error(`published example does not reproduce: ${check}`);
}
console.log(`wrote ${lines.length - 1} vectors to ${target}`);
