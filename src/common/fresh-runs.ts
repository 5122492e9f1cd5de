/**
 * Runs a task one at a time. A request made while it runs is answered by one more run after
 * it, shared by every request made meanwhile: the run under way may have read its source
 * before the change the caller wants seen. A task that callers fire and forget must not reject.
 */
export class FreshRuns {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly task: () => Promise<void>) {}

  request(): Promise<void> {
    if (!this.running) {
      this.running = this.task().finally(() => (this.running = undefined));
      return this.running;
    }
    const next = (): Promise<void> => {
      this.queued = undefined;
      return this.request();
    };
    // After the run however it ended: its failure is its own caller's.
    this.queued ??= this.running.then(next, next);
    return this.queued;
  }
}
