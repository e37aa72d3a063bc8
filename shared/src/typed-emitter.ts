type Listener = (...args: unknown[]) => void;

/**
 * A minimal typed event emitter that runs in Node and in the browser. A listener that throws is reported
 * through onListenerError instead of breaking the emitter for everyone else.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as unknown as Listener;
    set.add(l);
    return () => set.delete(l);
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        l(...args);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
