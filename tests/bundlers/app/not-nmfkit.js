// A worker that never answers nmfkit's messages: createWorker must reject, not wait forever.
self.addEventListener('message', () => {});
