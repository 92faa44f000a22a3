// The createWorker() message protocol (src/protocol.js): every request gets a reply, even
// one the worker does not know (a page and a worker of different nmfkit versions), which
// the page sees as an NmfError.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { test } from 'node:test';
import { NmfError, createWorker } from '../src/node.js';
import { CALLS, ERROR, LOAD, LOADED, UNKNOWN } from '../src/protocol.js';
import { serve } from '../src/worker-impl.js';
import { MODULES, loadOptions, matrix } from './helpers.mjs';

test('serve() answers an unknown message type, and a message that is not an object, with an error', async () => {
  const replies = [];
  let deliver;
  serve(async () => ({ simd: false, kernel: 'k', version: 'v' }), (m) => replies.push(m), (fn) => (deliver = fn));
  await deliver({ id: 1, type: LOAD, options: {} });
  await deliver({ id: 2, type: 'fitV9', X: [] });
  await deliver(null);
  assert.deepEqual(replies[0], { id: 1, type: LOADED, info: { simd: false, kernel: 'k', version: 'v' } });
  assert.equal(replies[1].id, 2);
  assert.equal(replies[1].type, ERROR);
  assert.equal(replies[1].error.name, 'NmfError');
  assert.equal(replies[1].error.code, UNKNOWN);
  assert.match(replies[1].error.message, /does not know the message type fitV9/);
  assert.equal(replies[2].type, ERROR);
  assert.equal(replies[2].error.code, UNKNOWN);
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
