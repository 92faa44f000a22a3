// Compiled with tsc --noEmit in a CommonJS project (no "type": "module"), module node16:
// the package is ES modules only, so CommonJS code imports it with import().
async function main(): Promise<void> {
  const { load, NmfError } = await import('nmfkit');
  const nmf = await load({ wasm: new Uint8Array(8) });
  const { W, relativeError } = await nmf.fit([[1, 2], [3, 4]], { rank: 1 });
  const w: Float64Array = W;
  try {
    nmf.fitSync([[1, -1]], { rank: 1 });
  } catch (e) {
    if (e instanceof NmfError) console.log(e.code, w.length, relativeError);
  }
}
main();
