/** A minimal typed event emitter (no dependency on Node's `events`, so the same code runs in browsers). */
export class Emitter<E extends { [K in keyof E]: (...args: any[]) => void }> {
  private readonly handlers = new Map<keyof E, Set<E[keyof E]>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener that is removed after its first call. */
  once<K extends keyof E>(event: K, listener: E[K]): () => void {
    const wrapper = ((...args: unknown[]) => {
      this.off(event, wrapper);
      (listener as (...a: unknown[]) => void)(...args);
    }) as E[K];
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener: E[K]): void {
    this.handlers.get(event)?.delete(listener);
  }

  /** Calls every listener; one that throws is reported to `onListenerError` and does not stop the others. */
  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (e) {
        this.onListenerError(event as string, e);
      }
    }
  }

  protected onListenerError(event: string, error: unknown): void {
    setTimeout(() => {
      throw error; // surfaces like any uncaught error, without breaking the client
    }, 0);
    void event;
  }
}
