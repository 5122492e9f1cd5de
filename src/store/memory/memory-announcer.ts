import type { Announcer } from '../announcer';

/** In one process an announcement is a direct call, made asynchronously as over Redis. */
export class MemoryAnnouncer implements Announcer {
  private readonly listeners = new Map<string, ((message: string) => void)[]>();

  publish(topic: string, message: string): Promise<void> {
    for (const listener of this.listeners.get(topic) ?? []) queueMicrotask(() => listener(message));
    return Promise.resolve();
  }

  subscribe(topic: string, listener: (message: string) => void): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
