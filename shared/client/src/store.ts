/** State kept outside React and read with useSyncExternalStore: controllers extend this. */
export class ExternalStore<S extends object> {
  private readonly listeners = new Set<() => void>();

  constructor(protected state: S) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): S => this.state;

  protected set(patch: Partial<S>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
