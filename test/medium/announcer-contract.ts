import { type Announcer, TOPICS } from '../../src/store/announcer';
import { waitFor } from '../support/wait';

/**
 * Makes an announcer whose channels start with `keyPrefix`; `close` releases what it holds
 * (the announcer and, over Redis, the publishing connection it was lent).
 */
export type MakeAnnouncer = (keyPrefix: string) => Promise<{ announcer: Announcer; close(): Promise<void> }>;

let prefixes = 0;
let probes = 0;

/** What one listener heard, in order. */
export class Inbox {
  readonly messages: string[] = [];
  readonly listener = (message: string): void => void this.messages.push(message);

  /** Resolves once `message` has arrived. */
  async received(message: string): Promise<void> {
    await waitFor(() => this.messages.includes(message), `message ${JSON.stringify(message)}`, 5_000, 10);
  }

  /** Messages other than probes. */
  get real(): string[] {
    return this.messages.filter((m) => !m.startsWith('probe-'));
  }
}

/**
 * Subscribes and returns once the subscription is live. `subscribe` cannot say when that is
 * (over Redis it is a command on another connection), so probes are published until one
 * arrives; probes are then left out of what the test looks at.
 */
export async function listen(announcer: Announcer, topic: string, publisher: Announcer = announcer): Promise<Inbox> {
  const inbox = new Inbox();
  announcer.subscribe(topic, inbox.listener);
  await untilHeard(inbox, topic, publisher);
  return inbox;
}

/** Resolves once a probe published now through `publisher` reaches `inbox`. */
export async function untilHeard(inbox: Inbox, topic: string, publisher: Announcer): Promise<void> {
  await waitFor(
    async () => {
      probes += 1;
      const probe = `probe-${probes}`;
      await publisher.publish(topic, probe).catch(() => undefined);
      // Long enough for a live subscription to deliver, short enough to retry soon.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return inbox.messages.includes(probe);
    },
    `a subscription to ${topic}`,
    10_000,
    0,
  );
}

/**
 * What every Announcer promises: a subscriber hears what is published on its topic after it
 * subscribed, and nothing else. Delivery is best effort, so the suite never asserts on a
 * message published before a subscription was known to be live.
 */
export function describeAnnouncerContract(name: string, makeAnnouncer: MakeAnnouncer): void {
  describe(`${name}: the Announcer contract`, () => {
    const closers: (() => Promise<void>)[] = [];
    let prefix: string;

    const open = async (keyPrefix = prefix): Promise<Announcer> => {
      const { announcer, close } = await makeAnnouncer(keyPrefix);
      closers.push(close);
      return announcer;
    };

    beforeEach(() => {
      prefixes += 1;
      prefix = `announcer-contract-${process.pid}-${prefixes}:`;
    });

    afterEach(async () => {
      await Promise.all(closers.splice(0).map((close) => close()));
    });

    it('delivers what is published after the subscription, in order', async () => {
      const announcer = await open();
      const inbox = await listen(announcer, TOPICS.probabilities);

      for (const version of ['1', '2', '3']) await announcer.publish(TOPICS.probabilities, version);

      await inbox.received('3');
      expect(inbox.real).toEqual(['1', '2', '3']);
    });

    it('delivers on its topic only', async () => {
      const announcer = await open();
      const probabilities = await listen(announcer, TOPICS.probabilities);
      const policies = await listen(announcer, TOPICS.policies);

      await announcer.publish(TOPICS.policies, 'policy changed');
      await announcer.publish(TOPICS.probabilities, '7');

      await probabilities.received('7');
      await policies.received('policy changed');
      expect(probabilities.real).toEqual(['7']);
      expect(policies.real).toEqual(['policy changed']);
    });

    it('delivers to every listener of the topic', async () => {
      const announcer = await open();
      const first = await listen(announcer, TOPICS.probabilities);
      const second = await listen(announcer, TOPICS.probabilities);

      await announcer.publish(TOPICS.probabilities, '42');

      await first.received('42');
      await second.received('42');
      expect(first.real).toEqual(['42']);
      expect(second.real).toEqual(['42']);
    });

    it('delivers messages whatever characters they hold', async () => {
      const announcer = await open();
      const inbox = await listen(announcer, TOPICS.policies);
      const messages = ['', '{"service":"checkout","etag":"W/\\"3\\""}', 'line\nbreak', 'ünïcødé 🚀', 'x'.repeat(64_000)];

      for (const message of messages) await announcer.publish(TOPICS.policies, message);
      await announcer.publish(TOPICS.policies, 'end');

      await inbox.received('end');
      expect(inbox.real).toEqual([...messages, 'end']);
    });

    it('keeps announcers with different key prefixes apart', async () => {
      const first = await open(`${prefix}first:`);
      const second = await open(`${prefix}second:`);
      const firstInbox = await listen(first, TOPICS.probabilities);
      const secondInbox = await listen(second, TOPICS.probabilities);

      // Each check waits for a message published after the one that must not arrive, so a
      // stray delivery would already be there.
      await second.publish(TOPICS.probabilities, 'for second');
      await first.publish(TOPICS.probabilities, 'for first');
      await firstInbox.received('for first');
      await second.publish(TOPICS.probabilities, 'end');
      await secondInbox.received('end');

      expect(firstInbox.real).toEqual(['for first']);
      expect(secondInbox.real).toEqual(['for second', 'end']);
    });

    it('publishes without error when nobody listens', async () => {
      const announcer = await open();

      await expect(announcer.publish(TOPICS.probabilities, '1')).resolves.toBeUndefined();
    });

    it('closes', async () => {
      const announcer = await open();
      await listen(announcer, TOPICS.probabilities);

      await expect(announcer.close()).resolves.toBeUndefined();
    });
  });
}
