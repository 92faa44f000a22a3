// A worker whose script fails as it starts: createWorker must reject at once, not wait out startTimeout.
throw new Error('this worker fails to start');
