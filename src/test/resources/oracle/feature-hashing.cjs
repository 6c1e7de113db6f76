// Independent oracle for the Feature Hashing model, built on the npm `murmurhash` package
// (not on the project's Java code). Reads {"bits":3,"ngrams":2,"texts":["..."]} as JSON on
// stdin and writes a JSON array with one array of 2^bits counts per text on stdout.
const murmurhash = require('murmurhash');

function features(text, bits, ngrams) {
  const counts = new Array(2 ** bits).fill(0);
  const mask = bits >= 32 ? 0xffffffff : (2 ** bits) - 1;
  const tokens = text.split(/[ \t\n\r\f\v]+/).filter((t) => t.length > 0);
  const hashes = tokens.map((t) => murmurhash.v3(t, 0) >>> 0);
  for (let i = 0; i < hashes.length; i++) {
    counts[Number(BigInt(hashes[i]) & BigInt(mask))]++;
    if (ngrams >= 2 && i + 1 < hashes.length) {
      const bigram = (BigInt(hashes[i]) * 27942141n + BigInt(hashes[i + 1])) % 4294967296n;
      counts[Number(bigram & BigInt(mask))]++;
    }
  }
  return counts;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  const result = request.texts.map((t) => features(t, request.bits || 3, request.ngrams || 2));
  process.stdout.write(JSON.stringify(result));
});
