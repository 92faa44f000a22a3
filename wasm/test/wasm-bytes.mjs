// A small reader of .wasm binaries for the tests: decodes every instruction of every
// function body (MVP, sign extension, 0xFC bulk memory / saturating truncation) and
// reports which functions use SIMD128 (a 0xFD-prefixed instruction or a v128 local).
// Unknown opcodes throw, so a new instruction family cannot slip through unnoticed.

export function simdUsage(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let p = 8;
  const u32 = () => {
    let r = 0;
    let shift = 0;
    let x;
    do {
      x = b[p++];
      r += (x & 0x7f) * 2 ** shift;
      shift += 7;
    } while (x & 0x80);
    return r;
  };
  const result = { functions: 0, simdFunctions: 0, v128Types: false };
  while (p < b.length) {
    const id = b[p++];
    const size = u32();
    const end = p + size;
    if (id === 1) result.v128Types = b.subarray(p, end).includes(0x7b) && typesUseV128(b.subarray(p, end));
    if (id === 10) {
      const count = u32();
      for (let f = 0; f < count; f++) {
        const bodySize = u32();
        const bodyEnd = p + bodySize;
        result.functions++;
        if (bodyUsesSimd(b, p, bodyEnd)) result.simdFunctions++;
        p = bodyEnd;
      }
    }
    p = end;
  }
  return result;
}

function typesUseV128(t) {
  let p = 0;
  const u = () => {
    let r = 0;
    let s = 0;
    let x;
    do {
      x = t[p++];
      r |= (x & 0x7f) << s;
      s += 7;
    } while (x & 0x80);
    return r >>> 0;
  };
  const n = u();
  for (let i = 0; i < n; i++) {
    p++; // 0x60
    for (let k = 0; k < 2; k++) {
      const c = u();
      for (let j = 0; j < c; j++) if (t[p++] === 0x7b) return true;
    }
  }
  return false;
}

function bodyUsesSimd(b, start, end) {
  let p = start;
  const u = () => {
    let r = 0;
    let s = 0;
    let x;
    do {
      x = b[p++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return r;
  };
  const skip = () => {
    while (b[p++] & 0x80);
  };
  const groups = u();
  for (let i = 0; i < groups; i++) {
    u();
    if (b[p++] === 0x7b) return true; // a v128 local
  }
  while (p < end) {
    const op = b[p++];
    if (op === 0xfd) return true;
    if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1) continue;
    if (op >= 0x45 && op <= 0xc4) continue; // numeric, no immediates
    if (op >= 0x02 && op <= 0x04) {
      const t = b[p];
      if (t === 0x40 || (t >= 0x6f && t <= 0x7f)) p++;
      else skip(); // type index (s33)
    } else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) skip();
    else if (op === 0x0e) {
      const n = u();
      for (let i = 0; i <= n; i++) skip();
    } else if (op === 0x11) {
      skip();
      skip();
    } else if (op === 0x1c) {
      const n = u();
      p += n;
    } else if (op >= 0x28 && op <= 0x3e) {
      skip();
      skip(); // memarg
    } else if (op === 0x3f || op === 0x40) p++;
    else if (op === 0x41 || op === 0x42) skip();
    else if (op === 0x43) p += 4;
    else if (op === 0x44) p += 8;
    else if (op === 0xd0) p++;
    else if (op === 0xfc) {
      const sub = u();
      if (sub <= 7) continue;
      if (sub === 8) (skip(), p++);
      else if (sub === 9 || sub === 13 || sub === 15 || sub === 16 || sub === 17) skip();
      else if (sub === 10) p += 2;
      else if (sub === 11) p++;
      else if (sub === 12 || sub === 14) (skip(), skip());
      else throw new Error(`unknown 0xFC ${sub} at byte ${p}`);
    } else if (op === 0xfe) {
      // threads (the -mt modules): atomic.fence has one zero byte, every other a memarg
      if (u() === 3) p++;
      else (skip(), skip());
    } else throw new Error(`unknown opcode 0x${op.toString(16)} at byte ${p - 1}`);
  }
  return false;
}
