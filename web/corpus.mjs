// Builds the topics view's default corpus at build time (web/build.sh runs it): the license
// texts every Debian system has in /usr/share/common-licenses, each paragraph of at least 8
// words a document, into corpus/licenses.json (git-ignored). When the folder is missing or
// empty, it writes nothing (and removes an old file): the page then has no default corpus.
//   node corpus.mjs [FOLDER]   FOLDER: default /usr/share/common-licenses
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const from = process.argv[2] || '/usr/share/common-licenses';
const out = join(web, 'corpus', 'licenses.json');

const documents = [];
const seen = new Set(); // GPL -> GPL-3 and the like: each file once
const names = existsSync(from) ? readdirSync(from).sort() : [];
for (const name of names) {
  const path = realpathSync(join(from, name));
  if (seen.has(path) || !statSync(path).isFile()) continue;
  seen.add(path);
  const text = readFileSync(path, 'utf8');
  let k = 0;
  for (const p of text.split(/\r?\n[ \t]*\r?\n/)) {
    const para = p.replace(/\s+/g, ' ').trim();
    k++;
    if (para.split(' ').length >= 8) documents.push({ title: `${name.replace(/^.*\//, '')}, paragraph ${k}`, text: para });
  }
}
rmSync(out, { force: true });
if (documents.length === 0) {
  console.log(`web: no default corpus (no license texts in ${from})`);
} else {
  mkdirSync(dirname(out), { recursive: true });
  const licenses = [...new Set(documents.map((d) => d.title.split(',')[0]))];
  writeFileSync(out, JSON.stringify({ source: `the license texts of ${from} (${licenses.join(', ')})`, documents }));
  console.log(`web: default corpus: ${documents.length} paragraphs of ${licenses.length} license texts`);
}
