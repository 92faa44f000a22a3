// The engine's FMA peak for SIMD128: a module, assembled here byte by byte (no toolchain), whose
// one function runs `chains` independent f32x4.relaxed_madd chains (or f32x4.mul + f32x4.add
// with relaxed = false) for n rounds, registers only, no memory. GFLOPS = n·chains·4·2 / time.
// The benchmarks print it beside the fits: no GEMM in this engine can beat it, so it bounds
// how close any wasm iteration can come to native (README, "WebAssembly speed").
//   import { peakModule, peakGflops } from './fma-peak.mjs'
const leb = (v) => {
  const out = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const f32 = (x) => [...new Uint8Array(new Float32Array([x]).buffer)];
const splat = (x) => [0x43, ...f32(x), 0xfd, 0x13]; // f32.const x; f32x4.splat

/** The bytes of a module exporting peak(n: i32) → f32. */
export function peakModule(chains = 12, relaxed = true) {
  const m = chains + 1, c = chains + 2; // locals: 0 = n, 1..chains = accumulators, then m, c
  const body = [0x01, ...leb(chains + 2), 0x7b]; // one local group: chains + 2 v128
  for (let i = 1; i <= chains; i++) body.push(...splat(i), 0x21, ...leb(i));
  body.push(...splat(0.999), 0x21, ...leb(m), ...splat(0.001), 0x21, ...leb(c));
  body.push(0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01); // block loop: br_if n == 0
  for (let i = 1; i <= chains; i++) {
    if (relaxed) body.push(0x20, ...leb(i), 0x20, ...leb(m), 0x20, ...leb(c), 0xfd, 0x85, 0x02);
    else body.push(0x20, ...leb(i), 0x20, ...leb(m), 0xfd, 0xe6, 0x01, 0x20, ...leb(c), 0xfd, 0xe4, 0x01);
    body.push(0x21, ...leb(i));
  }
  body.push(0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b); // n -= 1; br loop
  body.push(0x20, 0x01);
  for (let i = 2; i <= chains; i++) body.push(0x20, ...leb(i), 0xfd, 0xe4, 0x01); // Σ chains
  body.push(0xfd, 0x1f, 0x00, 0x0b); // lane 0; end
  const name = [...new TextEncoder().encode('peak')];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7d]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, name.length, ...name, 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

/**
 * The line the benchmarks print: the peak, the time an MU iteration's 4nmr + 4r²(n + m) flops
 * (X·Hᵀ, Wᵀ·X and the r×r-sized products) take at that rate, and that time over the native CLI's.
 */
export function boundLine(gflops, n, m, rank, nativeMs) {
  const floor = (4 * n * m * rank + 4 * rank * rank * (n + m)) / gflops / 1e6;
  return `SIMD128 FMA peak (12 relaxed_madd chains): ${gflops.toFixed(1)} GFLOPS; an iteration at that rate: ${floor.toFixed(2)} ms` +
    (nativeMs ? ` = ${(floor / nativeMs).toFixed(2)}x the native CLI's min` : '');
}

/** Best GFLOPS of `rounds` timed calls after a tiering warm-up (self-contained: runs in a page too). */
export async function peakGflops(bytes, chains = 12, rounds = 7, n = 20_000_000) {
  const { instance } = await WebAssembly.instantiate(bytes);
  const peak = instance.exports.peak;
  for (let w = 0; w < 10; w++) peak(2_000_000);
  await new Promise((r) => setTimeout(r, 300)); // let the optimizing tier finish
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    peak(n);
    best = Math.min(best, performance.now() - t);
  }
  return (n * chains * 4 * 2) / best / 1e6;
}
