// The two kinds of failure the API reports: NmfError (everything but cancellation) and
// the AbortError of a cancelled fit.

/** Error thrown for every failure except cancellation (AbortError). */
export class NmfError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'NmfError';
    /** The C status name ("x_negative", ...), or "invalid_argument" / "out_of_memory". */
    this.code = code;
    if (details) Object.assign(this, details);
  }
}

/** An NmfError for a bad argument (code 'invalid_argument' unless given). */
export const bad = (message, code = 'invalid_argument') => new NmfError(code, message);

/** The error a cancelled call rejects with: the signal's reason, else an AbortError (a DOMException: browsers, Node >= 17). */
export function abortError(signal) {
  return signal?.reason !== undefined ? signal.reason : new DOMException('The fit was aborted', 'AbortError');
}
