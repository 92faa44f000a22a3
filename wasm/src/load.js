// load(): which module to instantiate (SIMD where the engine has it, the full module on
// demand) and how to compile it from whatever source was given.
import { NmfError, bad } from './errors.js';
import { fromModule } from './instance.js';
import { MODULE_FILES } from './modules.js';

// (module (func (result v128) i32.const 0 i8x16.splat)): valid only where SIMD128 is.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
]);

/** True when this engine supports WebAssembly SIMD128 (the faster module). */
export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * Shared body of load(): `read(urlOrString)` returns bytes or a Response for a location.
 * source: WebAssembly.Module | ArrayBuffer | typed array | Response | Promise<Response> | URL | string
 */
export async function loadWith(options, defaultUrl, read) {
  if (options === null || typeof options !== 'object') throw bad('load options must be an object');
  if (typeof WebAssembly !== 'object') throw new NmfError('unsupported', 'nmfkit: WebAssembly is not available');
  let { wasm, wasmFull, simd, features = 'auto' } = options;
  if (simd !== undefined && typeof simd !== 'boolean') throw bad('simd must be true or false');
  if (features !== 'auto' && features !== 'full') throw bad(`features must be 'auto' or 'full'; got ${String(features)}`);
  if (wasm === undefined) {
    const useSimd = simd === undefined ? simdSupported() : simd;
    if (useSimd && !simdSupported()) throw new NmfError('unsupported', 'nmfkit: this engine has no WebAssembly SIMD');
    wasm = defaultUrl(useSimd ? MODULE_FILES.simd : MODULE_FILES.baseline);
    if (useSimd && wasmFull === undefined) wasmFull = defaultUrl(MODULE_FILES.simdFull);
  }
  // features 'full': the full module alone, from the start (fitSync can use every feature)
  if (features === 'full' && wasmFull !== undefined) [wasm, wasmFull] = [wasmFull, undefined];
  const full = wasmFull === undefined ? undefined : async () => fromModule(await compile(await wasmFull, read));
  return fromModule(await compile(await wasm, read), full);
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
