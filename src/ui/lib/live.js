// One Server-Sent Events stream (GET api/live) shared by every page. A page subscribes through
// its context; the router drops its subscriptions when the page is left.

export class LiveStream {
  #source = null;
  #handlers = new Map(); // event name → Set of functions

  /** Calls fn(data) for each `name` message (detection, camera, faces, …); returns an unsubscribe. */
  on(name, fn) {
    if (!this.#handlers.has(name)) {
      this.#handlers.set(name, new Set());
      this.#connect().addEventListener(name, (e) => {
        const data = JSON.parse(e.data);
        for (const h of this.#handlers.get(name)) h(data);
      });
    }
    this.#handlers.get(name).add(fn);
    return () => this.#handlers.get(name).delete(fn);
  }

  #connect() {
    this.#source ??= new EventSource('api/live');
    return this.#source;
  }
}
