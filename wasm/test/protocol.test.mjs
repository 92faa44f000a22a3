// The createWorker() message protocol (src/protocol.js): every request gets a reply, even
// one the worker does not know (a page and a worker of different nmfkit versions), which
// the page sees as an NmfError.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { test } from 'node:test';
import { NmfError, createWorker } from '../src/node.js';
import { CALLS, ERROR, LOAD, LOADED, STARTED, UNKNOWN } from '../src/protocol.js';
import { serve } from '../src/worker-impl.js';
import { MODULES, loadOptions, matrix } from './helpers.mjs';

test('serve() answers an unknown message type, and a message that is not an object, with an error', async () => {
  const replies = [];
  let deliver;
  serve(async () => ({ simd: false, kernel: 'k', version: 'v' }), (m) => replies.push(m), (fn) => (deliver = fn));
  await deliver({ id: 1, type: LOAD, options: {} });
  await deliver({ id: 2, type: 'fitV9', X: [] });
  await deliver(null);
  // STARTED at once (the page stops its start timer), then LOADED
  assert.deepEqual(replies[0], { id: 1, type: STARTED });
  assert.deepEqual(replies[1], { id: 1, type: LOADED, info: { simd: false, kernel: 'k', version: 'v', module: undefined, threads: undefined } });
  assert.equal(replies[2].id, 2);
  assert.equal(replies[2].type, ERROR);
  assert.equal(replies[2].error.name, 'NmfError');
  assert.equal(replies[2].error.code, UNKNOWN);
  assert.match(replies[2].error.message, /does not know the message type fitV9/);
  assert.equal(replies[3].type, ERROR);
  assert.equal(replies[3].error.code, UNKNOWN);
});

// Workers that never serve createWorker(): each rejects with NmfError 'worker_failed', in
// bounded time (a bundler that dropped `import 'nmfkit/worker'` gives the first kind).
const failing = {
  'never answers': ["require('node:worker_threads').parentPort.on('message', () => {});", /no answer from the worker in 300 ms/],
  'exits at once': ['', /exited \(code 0\)/],
  'throws': ["throw new Error('boom')", /boom/],
};
for (const [what, [script, message]] of Object.entries(failing))
  test(`createWorker() with a worker that ${what} rejects with worker_failed`, async () => {
    const t0 = Date.now();
    const worker = new Worker(script, { eval: true });
    await assert.rejects(createWorker({ worker, startTimeout: 300 }), (e) => {
      assert.ok(e instanceof NmfError, String(e));
      assert.equal(e.code, 'worker_failed');
      assert.match(e.message, message);
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000);
    await worker.terminate();
  });

test('a call the worker does not know rejects with NmfError; the worker serves on', async () => {
  const [label] = MODULES[0];
  const real = new Worker(new URL('../src/worker.node.js', import.meta.url));
  // the page speaks a newer protocol: its first forwarded call has a name this worker lacks
  const renamed = `${CALLS[0]}V9`;
  const port = {
    postMessage: (m, t) => real.postMessage(m.type === CALLS[0] ? { ...m, type: renamed } : m, t),
    on: (event, fn) => real.on(event, fn),
    terminate: () => real.terminate(),
    ref: () => real.ref(),
    unref: () => real.unref(),
  };
  const w = await createWorker({ ...loadOptions(label), worker: port });
  try {
    const X = Float32Array.from(matrix(12, 9, 3));
    await assert.rejects(w[CALLS[0]](X, { rows: 12, cols: 9, H: new Float32Array(2 * 9).fill(1) }), (e) => {
      assert.ok(e instanceof NmfError);
      assert.equal(e.code, UNKNOWN);
      assert.match(e.message, new RegExp(renamed));
      return true;
    });
    const r = await w.fit(X, { rows: 12, cols: 9, rank: 2, maxIter: 20, tol: 0 });
    assert.equal(r.iterations, 20);
  } finally {
    await w.terminate();
  }
});

test('the page side rejects a reply of a type it does not know with NmfError', async () => {
  const { connect } = await import('../src/client.js');
  let listener;
  const port = {
    post: (msg) => queueMicrotask(() => listener({ id: msg.id, type: 'no-such-reply' })),
    listen: (fn) => (listener = fn),
    terminate: () => {},
  };
  // connect() sends LOAD first: its reply has a type the page does not know
  await assert.rejects(connect(port, {}), (e) => e instanceof NmfError && e.code === UNKNOWN);
});

test('a worker that answers without STARTED (an older nmfkit/worker) is not given up on', async () => {
  const { connect } = await import('../src/client.js');
  let listener;
  let terminated = false;
  const port = {
    // LOADED only, no STARTED: the start timer stops at the first reply all the same
    post: (msg) => msg.type === LOAD && queueMicrotask(() => listener({ id: msg.id, type: LOADED, info: { simd: false, kernel: 'k', version: 'v' } })),
    listen: (fn) => (listener = fn),
    terminate: () => (terminated = true),
  };
  const w = await connect(port, {}, 50);
  await new Promise((ok) => setTimeout(ok, 150));
  assert.equal(terminated, false);
  assert.equal(w.version, 'v');
});
