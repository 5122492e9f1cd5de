import { UnwrittenSlots } from '../../../src/store/redis/unwritten-slots';

/** An error as ioredis gives one for a reply Redis sent (the write was refused, not applied). */
function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return error;
}

const text = (shard: number, slot: number, characters: number, operations = 1) => ({ shard, slot, text: 'x'.repeat(characters), operations });

describe('UnwrittenSlots: flush text kept for the next flush', () => {
  it('keeps what Redis refused or was never sent, and hands it over once', () => {
    const slots = new UnwrittenSlots(60_000);
    slots.refused(text(1, 0, 10, 3), replyError('CLUSTERDOWN The cluster is down'));
    slots.refused(text(2, 0, 10, 2), new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    slots.refused(text(3, 0, 10, 1), new Error("Cluster isn't ready and enableOfflineQueue options is false"));

    expect(slots.operations).toBe(6);
    expect([...slots.take(1_000).keys()]).toEqual(['1|0', '2|0', '3|0']);
    expect(slots.take(1_000).size).toBe(0);
    expect(slots.takeDropped()).toBe(0);
  });

  it.each(['Command timed out', 'Connection is closed.', 'Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest" option for details.'])(
    'drops a write whose reply never came (%s): Redis may have applied it',
    (message) => {
      const slots = new UnwrittenSlots(60_000);
      slots.refused(text(1, 0, 10, 4), new Error(message));

      expect(slots.operations).toBe(0);
      expect(slots.take(1_000).size).toBe(0);
      expect(slots.takeDropped()).toBe(4);
      expect(slots.takeDropped()).toBe(0);
    },
  );

  it('keeps, once a flush has failed, what the next ones lose to a connection already gone (a cluster node that is down)', () => {
    const slots = new UnwrittenSlots(60_000);
    const closed = () => new Error('Connection is closed.');
    slots.refused(text(1, 0, 10, 4), closed());
    slots.ended(true);
    slots.refused(text(1, 1_000, 10, 3), closed());
    slots.refused(text(2, 1_000, 10, 2), new Error('Command timed out'));
    slots.ended(true);

    expect(slots.takeDropped()).toBe(4 + 2);
    expect([...slots.take(2_000).keys()]).toEqual(['1|1000']);
    // One Redis and Sentinel fail only what was sent this way, however the flush before went.
    slots.refused(text(1, 1_500, 10, 6), new Error('Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest" option for details.'));
    slots.refused(text(2, 1_500, 10, 7), new Error('Command aborted due to connection close'));
    expect(slots.takeDropped()).toBe(6 + 7);
    expect(slots.take(2_000).size).toBe(0);
    // A flush written whole ends the outage: the next lost connection may have carried a write.
    slots.ended(false);
    slots.refused(text(1, 2_000, 10, 5), closed());
    expect(slots.takeDropped()).toBe(5);
  });

  it('drops what is past the slots retention when handing over, and counts it', () => {
    const slots = new UnwrittenSlots(60_000);
    slots.refused(text(1, 0, 10, 2), replyError('LOADING'));
    slots.refused(text(1, 30_000, 10, 5), replyError('LOADING'));

    expect([...slots.take(60_000).values()].map((kept) => kept.slot)).toEqual([30_000]);
    expect(slots.takeDropped()).toBe(2);
  });

  it('drops, and counts, what belongs to slots a calculation has read since: nothing would read it', () => {
    const slots = new UnwrittenSlots(600_000);
    slots.refused(text(1, 1_000, 10, 2), replyError('CLUSTERDOWN'));
    slots.refused(text(1, 9_000, 10, 5), replyError('CLUSTERDOWN'));

    expect(slots.holding).toBe(true);
    expect([...slots.take(10_000, (slot) => slot < 5_000).values()].map((kept) => kept.slot)).toEqual([9_000]);
    expect(slots.takeDropped()).toBe(2);
    expect(slots.holding).toBe(false);
  });

  it('lets the oldest go first past its bound of 64 Mi characters', () => {
    const slots = new UnwrittenSlots(600_000);
    const quarter = 16 * 2 ** 20;
    for (let slot = 0; slot < 5; slot++) slots.refused(text(1, slot * 1_000, quarter, 10), replyError('OOM'));

    expect(slots.operations).toBe(40);
    expect(slots.takeDropped()).toBe(10);
    expect([...slots.take(0).values()].map((kept) => kept.slot)).toEqual([1_000, 2_000, 3_000, 4_000]);
  });
});
