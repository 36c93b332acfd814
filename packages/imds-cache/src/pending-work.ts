/** Background work (log lines waiting on a caller lookup) that shutdown should let finish. */
export class PendingWork {
  readonly #open = new Set<Promise<unknown>>();

  track(work: Promise<unknown>): void {
    const forget = (): void => {
      this.#open.delete(settled);
    };
    const settled: Promise<void> = work.then(forget, forget);
    this.#open.add(settled);
  }

  /** Resolves once everything tracked so far has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.#open]);
  }
}
