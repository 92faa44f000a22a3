// load(): which module to instantiate (relaxed SIMD, SIMD128 or the baseline, as the engine
// validates; the full module on demand; a threaded one for threads > 1) and how to compile it
// from whatever source was given.
import { NmfError, bad } from './errors.js';
import { fromModule, fromThreaded } from './instance.js';
import { MODULE_FILES } from './modules.js';

// (module (func (result v128) i32.const 0 i8x16.splat)): valid only where SIMD128 is.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
]);
// The same function returning f32x4.relaxed_madd of three splats (0xfd 0x85 0x02): valid only
// where relaxed SIMD is (Chromium ≥ 114; Node 20 with --experimental-wasm-relaxed-simd).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
  65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11,
]);

const valid = (bytes) => {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
};

/** True when this engine supports WebAssembly SIMD128 (the faster module). */
export const simdSupported = () => valid(SIMD_PROBE);

/** True when this engine supports relaxed SIMD (the FMA module, nmfkit-relaxed.wasm). */
export const relaxedSupported = () => valid(RELAXED_PROBE);

const MODULES = ['relaxed', 'simd', 'baseline'];
const unsupported = (what) => new NmfError('unsupported', `nmfkit: this engine has no WebAssembly ${what}`);

/**
 * Shared body of load(): `read(urlOrString)` returns bytes or a Response for a location;
 * platform: { threads() (the default count), pool() (imports ./threads.<platform>.js: only
 * for more than one thread or a threaded module, so a one-thread page never fetches it) }.
 * source: WebAssembly.Module | ArrayBuffer | typed array | Response | Promise<Response> | URL | string
 */
export async function loadWith(options, defaultUrl, read, platform) {
  if (options === null || typeof options !== 'object') throw bad('load options must be an object');
  if (typeof WebAssembly !== 'object') throw new NmfError('unsupported', 'nmfkit: WebAssembly is not available');
  let { wasm, wasmFull, simd, module, threads, features = 'auto' } = options;
  if (simd !== undefined && typeof simd !== 'boolean') throw bad('simd must be true or false');
  if (module !== undefined && !MODULES.includes(module)) throw bad(`module must be 'relaxed', 'simd' or 'baseline'; got ${String(module)}`);
  if (features !== 'auto' && features !== 'full') throw bad(`features must be 'auto' or 'full'; got ${String(features)}`);
  const asked = threads !== undefined;
  threads ??= platform.threads();
  const pool = threads !== 1 ? await platform.pool() : null;
  if (pool) pool.check(threads, NmfError); // an integer in [1, 64]; SharedArrayBuffer
  if (wasm === undefined) {
    module ??= simd === false ? 'baseline' : relaxedSupported() ? 'relaxed' : simdSupported() || simd ? 'simd' : 'baseline';
    if (module === 'relaxed' && !relaxedSupported()) throw unsupported('relaxed SIMD');
    if (module === 'simd' && !simdSupported()) throw unsupported('SIMD');
    if (module === 'baseline' && threads > 1) {
      if (asked) throw bad('threads need a SIMD module (there is no threaded baseline)');
      threads = 1; // the default count: the baseline runs on one
    }
    wasm = threads > 1 ? pool.url(module) : defaultUrl(MODULE_FILES[module]);
    if (module !== 'baseline' && wasmFull === undefined) wasmFull = defaultUrl(MODULE_FILES.simdFull);
  }
  // features 'full': the full module alone, from the start (fitSync can use every feature)
  if (features === 'full' && wasmFull !== undefined) [wasm, wasmFull] = [wasmFull, undefined];
  const full = wasmFull === undefined ? undefined : async () => fromModule(await compile(await wasmFull, read));
  const compiled = await compile(await wasm, read);
  // a module that imports its memory is a threaded one (one thread: no workers)
  if (WebAssembly.Module.imports(compiled).some((i) => i.kind === 'memory'))
    return (pool || (await platform.pool())).threaded(compiled, full, threads, { NmfError, fromThreaded });
  if (asked && threads > 1) throw bad('threads > 1 need a threaded module as wasm');
  return fromModule(compiled, full);
}

async function compile(src, read) {
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return WebAssembly.compile(src);
  if (typeof Response === 'function' && src instanceof Response) {
    if (!src.ok) throw new NmfError('load_failed', `nmfkit: cannot load ${src.url}: HTTP ${src.status}`);
    const type = src.headers.get('content-type') || '';
    if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm'))
      return WebAssembly.compileStreaming(src);
    return WebAssembly.compile(await src.arrayBuffer());
  }
  if (src instanceof URL || typeof src === 'string') return compile(await read(src), read);
  throw bad('wasm must be a WebAssembly.Module, bytes, a Response or a URL');
}
