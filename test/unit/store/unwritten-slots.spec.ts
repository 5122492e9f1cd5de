import { UnwrittenSlots } from '../../../src/store/redis/unwritten-slots';

const text = (shard: number, slot: number, bytes: number, operations = 1) => ({ shard, slot, bytes: Buffer.alloc(bytes, 'x'), operations });

describe('UnwrittenSlots: flush text kept for the next flush', () => {
  it('keeps what a flush could not write, and hands it over once', () => {
    const slots = new UnwrittenSlots(60_000);
    for (let shard = 0; shard < 5; shard++) slots.keep(text(shard, 0, 10, shard + 1));

    expect(slots.operations).toBe(1 + 2 + 3 + 4 + 5);
    expect([...slots.take(1_000).keys()]).toEqual(['0|0', '1|0', '2|0', '3|0', '4|0']);
    expect(slots.take(1_000).size).toBe(0);
    expect(slots.takeDropped()).toBe(0);
  });

  it('drops what is past the slots retention when handing over, and counts it', () => {
    const slots = new UnwrittenSlots(60_000);
    slots.keep(text(1, 0, 10, 2));
    slots.keep(text(1, 30_000, 10, 5));

    expect([...slots.take(60_000).values()].map((kept) => kept.slot)).toEqual([30_000]);
    expect(slots.takeDropped()).toBe(2);
  });

  it('drops, and counts, what belongs to slots a calculation has read since: nothing would read it', () => {
    const slots = new UnwrittenSlots(600_000);
    slots.keep(text(1, 1_000, 10, 2));
    slots.keep(text(1, 9_000, 10, 5));

    expect(slots.holding).toBe(true);
    expect([...slots.take(10_000, (slot) => slot < 5_000).values()].map((kept) => kept.slot)).toEqual([9_000]);
    expect(slots.takeDropped()).toBe(2);
    expect(slots.holding).toBe(false);
  });

  it('lets the oldest go first past its bound of 64 MiB', () => {
    const slots = new UnwrittenSlots(600_000);
    const quarter = 16 * 2 ** 20;
    for (let slot = 0; slot < 5; slot++) slots.keep(text(1, slot * 1_000, quarter, 10));

    expect(slots.operations).toBe(40);
    expect(slots.takeDropped()).toBe(10);
    expect([...slots.take(0).values()].map((kept) => kept.slot)).toEqual([1_000, 2_000, 3_000, 4_000]);
  });
});
