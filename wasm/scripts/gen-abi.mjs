// Writes src/abi.js, the wrapper's copy of the C ABI, from the one definition:
// core/include/nmfkit/abi.def (statuses, option/result fields and offsets, enum spellings, loss
// names) and the version of project(VERSION) in CMakeLists.txt.
//   node scripts/gen-abi.mjs          rewrite src/abi.js
//   node scripts/gen-abi.mjs --check  exit 1 when src/abi.js differs from what it would write
// test/abi-def.test.mjs and scripts/prepack.mjs run the check.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(pkg, '..');
export const ABI_JS = join(pkg, 'src', 'abi.js');
export const DEF = join(repo, 'core', 'include', 'nmfkit', 'abi.def');
export const CMAKE = join(repo, 'CMakeLists.txt');

const JS_TYPES = { uint32_t: 'u32', int32_t: 'i32', uint64_t: 'u64', double: 'f64' };
const BYTES = { u32: 4, i32: 4, u64: 8, f64: 8 };

// The entries of abi.def as [macro, args], args being numbers, identifiers or strings. Comments
// and preprocessor lines are skipped; adjacent string literals are joined, as in C.
export function parseDef(text) {
  const tokens = [];
  const re = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|^[ \t]*#[^\n]*|"((?:[^"\\\n]|\\.)*)"|(-?\d+(?:\.\d+)?)|([A-Za-z_]\w*)|([(),])|(\S)/gm;
  for (const m of text.matchAll(re)) {
    if (m[1] !== undefined) tokens.push({ str: JSON.parse(`"${m[1]}"`) });
    else if (m[2] !== undefined) tokens.push({ num: Number(m[2]) });
    else if (m[3] !== undefined) tokens.push({ id: m[3] });
    else if (m[4] !== undefined) tokens.push({ p: m[4] });
    else if (m[5] !== undefined) throw new Error(`abi.def: unexpected '${m[5]}'`);
  }
  const entries = [];
  for (let i = 0; i < tokens.length; ) {
    const macro = tokens[i++].id;
    if (!macro || !macro.startsWith('NMFKIT_') || tokens[i++]?.p !== '(') throw new Error(`abi.def: expected NMFKIT_*( near token ${i}`);
    const args = [];
    for (;;) {
      let t = tokens[i++];
      if (!t) throw new Error(`abi.def: unterminated ${macro}(`);
      let v = t.str ?? t.num ?? t.id;
      if (t.str !== undefined) while (tokens[i]?.str !== undefined) v += tokens[i++].str;
      if (v === undefined) throw new Error(`abi.def: ${macro}: unexpected '${t.p}'`);
      args.push(v);
      t = tokens[i++];
      if (t?.p === ')') break;
      if (t?.p !== ',') throw new Error(`abi.def: ${macro}: expected , or )`);
    }
    entries.push([macro, args]);
  }
  return entries;
}

// The ABI as plain data, checked for what the C compiler would also refuse (so that a broken
// .def fails here too, not only in c_api.cpp's static_asserts).
export function readAbi(defText = readFileSync(DEF, 'utf8'), cmakeText = readFileSync(CMAKE, 'utf8')) {
  const version = /project\(\s*nmfkit\s+VERSION\s+(\d+\.\d+\.\d+)/.exec(cmakeText)?.[1];
  if (!version) throw new Error('CMakeLists.txt: no project(nmfkit VERSION x.y.z)');
  const abi = { version, sizes: {}, options: [], result: [], statuses: [], enums: { init: {}, solver: {}, kernel: {}, matrix: {}, missing: {}, loss: {} } };
  const shortLoss = {};
  const field = (list, [name, ctype, offset, doc]) => {
    const type = JS_TYPES[ctype];
    if (!type) throw new Error(`abi.def: ${name}: C type ${ctype} has no JS type`);
    list.push({ name, type, offset, doc });
  };
  const spelling = (kind, [value, , , text]) => {
    if (Object.hasOwn(abi.enums[kind], text)) throw new Error(`abi.def: ${kind} spelling '${text}' twice`);
    abi.enums[kind][text] = value;
  };
  for (const [macro, args] of parseDef(defText)) {
    switch (macro) {
      case 'NMFKIT_STATUS': {
        const [value, name, NAME, message] = args;
        if (value !== abi.statuses.length) throw new Error(`abi.def: status ${name} is ${value}, expected ${abi.statuses.length}`);
        if (NAME !== name.toUpperCase()) throw new Error(`abi.def: status ${name}: C name ${NAME}`);
        abi.statuses.push({ name, message });
        break;
      }
      case 'NMFKIT_STRUCT': abi.sizes[args[0]] = args[1]; break;
      case 'NMFKIT_OPTION': case 'NMFKIT_OPTION_RESERVED': field(abi.options, args); break;
      case 'NMFKIT_RESULT': field(abi.result, args); break;
      case 'NMFKIT_INIT': spelling('init', args); break;
      case 'NMFKIT_SOLVER': spelling('solver', args); break;
      case 'NMFKIT_KERNEL': spelling('kernel', args); break;
      case 'NMFKIT_MATRIX': spelling('matrix', args); break;
      case 'NMFKIT_MISSING': spelling('missing', args); break;
      case 'NMFKIT_LOSS': {
        // names first, then the short names that differ (JS lists them in this order)
        const [beta, name, short] = args;
        abi.enums.loss[name] = beta;
        if (short !== name) shortLoss[short] = beta;
        break;
      }
      default: throw new Error(`abi.def: unknown entry ${macro}`);
    }
  }
  Object.assign(abi.enums.loss, shortLoss);
  for (const [struct, fields] of [['options', abi.options], ['result', abi.result]]) {
    let end = 0;
    let align = 1;
    for (const f of fields) {
      const b = BYTES[f.type];
      const at = Math.ceil(end / b) * b;
      if (f.offset !== at) throw new Error(`abi.def: nmfkit_${struct}.${f.name} at ${f.offset}, but C puts it at ${at}`);
      end = at + b;
      align = Math.max(align, b);
    }
    const size = Math.ceil(end / align) * align;
    if (abi.sizes[struct] !== size) throw new Error(`abi.def: sizeof(nmfkit_${struct}) is ${size}, not ${abi.sizes[struct]}`);
  }
  return abi;
}

const str = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : str(k));
const fields = (list) => list.map((f) => `  [${str(f.name)}, ${f.offset}, ${str(f.type)}], // ${f.doc}`).join('\n');

// The text of src/abi.js.
export function generate(abi = readAbi()) {
  const enums = Object.entries(abi.enums)
    .map(([kind, values]) => `  ${kind}: { ${Object.entries(values).map(([k, v]) => `${key(k)}: ${v}`).join(', ')} },`)
    .join('\n');
  return `// Generated by scripts/gen-abi.mjs from core/include/nmfkit/abi.def and project(VERSION) in
// CMakeLists.txt: do not edit (run \`node scripts/gen-abi.mjs\`; test/abi-def.test.mjs checks it).

export const VERSION = ${str(abi.version)};
export const OPTIONS_BYTES = ${abi.sizes.options}; // sizeof(nmfkit_options)
export const RESULT_BYTES = ${abi.sizes.result}; // sizeof(nmfkit_result)

// nmfkit_options: [C name, byte offset, type]
export const OPTION_FIELDS = [
${fields(abi.options)}
];

// nmfkit_result: [C name, byte offset, type]
export const RESULT_FIELDS = [
${fields(abi.result)}
];

// nmfkit_status_name() of each status; index = status value
export const STATUS_NAMES = [
${abi.statuses.map((s) => `  ${str(s.name)},`).join('\n')}
];

// Accepted spellings → C values (loss: → beta)
export const ENUMS = {
${enums}
};
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const text = generate();
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(ABI_JS, 'utf8');
    } catch {}
    if (old !== text) {
      console.error('gen-abi: src/abi.js is out of date with core/include/nmfkit/abi.def / CMakeLists.txt: run node scripts/gen-abi.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(ABI_JS, text);
    console.error('gen-abi: wrote src/abi.js');
  }
}
