import { Cluster, type Redis } from 'ioredis';
import { CLOSE_WITHIN_MS, type RedisConnection, closeWithin } from './redis-client';
import type { Announcer } from '../announcer';

/**
 * Pub/sub over a dedicated subscriber connection (a subscribed connection can run nothing
 * else). Subscriptions are (re)issued whenever that connection becomes ready, so they survive
 * Redis restarts.
 */
export class RedisAnnouncer implements Announcer {
  private readonly listeners = new Map<string, ((message: string) => void)[]>();

  constructor(
    private readonly publisher: RedisConnection,
    private readonly subscriber: RedisConnection,
    private readonly prefix: string,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
    subscriber.on('ready', () => void this.resubscribe());
  }

  async publish(topic: string, message: string): Promise<void> {
    await this.publishingNode().publish(this.prefix + topic, message);
  }

  /**
   * A cluster forwards a PUBLISH to every node from the node that took it; published through
   * different nodes, two announcements could arrive in either order. One node (the first ready
   * master by address) keeps them in order; another takes over if it goes.
   */
  private publishingNode(): RedisConnection {
    if (!(this.publisher instanceof Cluster)) return this.publisher;
    const address = (node: Redis) => `${node.options.host ?? ''}:${node.options.port ?? 0}`;
    const masters = this.publisher.nodes('master').filter((node) => node.status === 'ready');
    masters.sort((a, b) => address(a).localeCompare(address(b)));
    return masters[0] ?? this.publisher;
  }

  subscribe(topic: string, listener: (message: string) => void): void {
    const channel = this.prefix + topic;
    const existing = this.listeners.get(channel);
    if (existing) existing.push(listener);
    else this.listeners.set(channel, [listener]);
    if (this.subscriber.status === 'ready') this.subscriber.subscribe(channel).catch(() => undefined);
  }

  close(): Promise<void> {
    return closeWithin(this.subscriber, CLOSE_WITHIN_MS);
  }

  private async resubscribe(): Promise<void> {
    const channels = [...this.listeners.keys()];
    if (channels.length > 0) await this.subscriber.subscribe(...channels).catch(() => undefined);
  }
}
