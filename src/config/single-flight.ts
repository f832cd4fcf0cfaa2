/**
 * @module
 * Single-flight with a deadline: callers that arrive while a load is running share it, as a cache
 * should, but nobody waits on it past its deadline. In workerd a promise started by one request
 * never settles if that request's I/O is cancelled (the client went away, a `waitUntil` ran past
 * its limit); without a deadline every later caller would join that dead flight and hang, and a
 * "one refresh at a time" guard would stay shut for the isolate's life. After the deadline a
 * flight counts as abandoned: the next caller starts a fresh one, and callers already waiting give
 * up on the old one and start their own.
 */

interface Flight<T> {
  promise: Promise<T>;
  startedAt: number;
}

export class SingleFlight<T> {
  #flight: Flight<T> | undefined;

  constructor(
    /** How long a flight may run before it is presumed abandoned. */
    readonly deadlineMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** True while a flight younger than the deadline is running. */
  get busy(): boolean {
    return this.#flight !== undefined && this.clock() - this.#flight.startedAt < this.deadlineMs;
  }

  /**
   * Joins the running flight, or starts one with `start`.
   * @example const bundle = await flights.run(() => readRows(env).then(compile));
   */
  run(start: () => Promise<T>): Promise<T> {
    const flight = this.#flight;
    if (flight && this.busy) {
      const left = this.deadlineMs - (this.clock() - flight.startedAt);
      return settleWithin(flight.promise, left, () => this.run(start));
    }
    const promise = start();
    const mine: Flight<T> = { promise, startedAt: this.clock() };
    this.#flight = mine;
    const clear = () => {
      if (this.#flight === mine) this.#flight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }
}

/** `promise`'s outcome if it settles within `ms`, else `fallback()`'s. */
function settleWithin<T>(promise: Promise<T>, ms: number, fallback: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      fallback().then(resolve, reject);
    }, Math.max(0, ms));
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
