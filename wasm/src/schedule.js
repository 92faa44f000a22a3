// Running a fit's generator (one step per slice of iterations) to its end: in slices
// that yield to the event loop about every 10 ms and check an AbortSignal, or at once.
import { abortError } from './errors.js';

// Yielding between slices: setImmediate (Node) > MessageChannel (browsers, Deno).
// Not scheduler.yield(): Chromium runs its continuations ahead of message events and
// timers, so a fit in a Worker never saw the 'abort' message (nor any later fit), and on
// the main thread setTimeout / AbortSignal.timeout() never fired during a fit.
// A MessageChannel message is an ordinary task, queued behind those already waiting.
let channel;
const pending = [];
function yieldToEventLoop() {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => pending.shift()();
  }
  return new Promise((r) => {
    pending.push(r);
    channel.port2.postMessage(0);
  });
}

/** Runs job to its end, yielding about every 10 ms; rejects with abortError(signal) once it aborts. */
export async function drive(job, signal) {
  try {
    let step = job.next();
    let t = performance.now();
    while (!step.done) {
      if (performance.now() - t >= 10) {
        await yieldToEventLoop();
        t = performance.now();
      }
      if (signal?.aborted) throw abortError(signal);
      step = job.next();
    }
    return step.value;
  } finally {
    job.return(); // runs the job's cleanup if the loop stopped early
  }
}

/** Runs job to its end without yielding. */
export function drain(job) {
  try {
    let step = job.next();
    while (!step.done) step = job.next();
    return step.value;
  } finally {
    job.return();
  }
}
