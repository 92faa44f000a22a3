// nmfkit: the platform-neutral part of the wrapper around the standalone nmfkit .wasm
// modules (no Emscripten JS glue). node.js and browser.js add how a module file is
// read and how a Worker is started, then re-export this. The parts:
//   abi.js          the C ABI as data (struct sizes, field offsets, statuses, enum names)
//   abi-marshal.js  options and results in wasm memory, from abi.js's tables
//   args.js         checks and coerces the JS arguments (option keys, matrices)
//   schedule.js     runs a fit in slices: yielding, cancellation
//   instance.js     the API over one instantiated module
//   sparse.js       a sparse (CSR) X in wasm memory; imported only with a module that has sparse X
//   modules.js      which .wasm file has which features
//   load.js         SIMD detection, module choice, compiling and instantiating
//   threads.js      threaded instances: shared memory, pool workers; imported only for them
//   protocol.js     the messages between createWorker()'s client.js and worker-impl.js
export { NmfError, abortError } from './errors.js';
export { fromModule } from './instance.js';
export { MODULE_FILES } from './modules.js';
export { loadWith, relaxedSupported, simdSupported } from './load.js';
