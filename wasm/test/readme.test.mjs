// The README's runnable examples (the ```js blocks that print): each runs on every module
// and prints what the comment on its last line says (the lines joined by " / ").
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MODULES, loadOptions } from './helpers.mjs';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((b) => b[1]).filter((c) => /console\.log/.test(c) && /from 'nmfkit'/.test(c));
const tmp = mkdtempSync(join(tmpdir(), 'nmfkit-readme-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the README has the sparse examples', () => {
  assert.ok(examples.length >= 2, `${examples.length} examples`);
  assert.ok(examples.some((c) => /indptr/.test(c) && /loss: 'kl'/.test(c)), 'the topic extraction');
  assert.ok(examples.some((c) => /missing: 'unstored'/.test(c) && /transform\(/.test(c)), 'the recommendation fold-in');
});

examples.forEach((code, k) => {
  const expected = /\/\/ ([^\n]*)\n?$/.exec(code.trimEnd())?.[1];
  for (const [label] of MODULES)
    test(`example ${k + 1} on the ${label} module prints ${expected}`, () => {
      assert.ok(expected, 'its last line ends with a comment of what it prints');
      const file = join(tmp, `example-${k}-${label}.mjs`);
      const src = new URL('../src/node.js', import.meta.url).href;
      const text = new URL('../src/text.js', import.meta.url).href;
      writeFileSync(file, code.replace("from 'nmfkit'", `from '${src}'`).replace("from 'nmfkit/text'", `from '${text}'`).replace('await load()', `await load(${JSON.stringify(loadOptions(label))})`));
      const flags = process.execArgv.filter((a) => a === '--experimental-wasm-relaxed-simd'); // the relaxed modules need it in Node 20
      const out = execFileSync(process.execPath, [...flags, file], { encoding: 'utf8' });
      assert.equal(out.trim().split('\n').join(' / '), expected);
    });
});
