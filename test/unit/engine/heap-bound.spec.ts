import { HEAP_SLACK_SHARE, HeapBound, MIN_HEAP_SLACK_BYTES } from '../../../src/engine/calculation-thread/heap-bound';
import { UNSLICED } from '../../../src/common/time-slicer';

const MiB = 2 ** 20;

/** A heap that grows as told and, collected, shrinks to what is live. */
function fakeHeap(live: number) {
  const heap = { live, used: live, collections: 0 };
  const gc = () => {
    heap.collections++;
    heap.used = heap.live;
  };
  return { heap, bound: new HeapBound(gc, () => heap.used) };
}

describe('HeapBound', () => {
  it('lets a small heap grow by the minimum slack before collecting', () => {
    const { heap, bound } = fakeHeap(20 * MiB);
    heap.used = 20 * MiB + MIN_HEAP_SLACK_BYTES;
    bound.check();
    expect(heap.collections).toBe(0);
    heap.used += 1;
    bound.check();
    expect(heap.collections).toBe(1);
    expect(heap.used).toBe(20 * MiB);
  });

  it('gives a large heap slack in proportion to what is live', () => {
    const { heap, bound } = fakeHeap(400 * MiB);
    heap.used = 400 * MiB * (1 + HEAP_SLACK_SHARE) - 1;
    bound.check();
    expect(heap.collections).toBe(0);
    heap.used = 400 * MiB * (1 + HEAP_SLACK_SHARE) + 1;
    bound.check();
    expect(heap.collections).toBe(1);
  });

  it('measures the next limit from what is live after a collection', () => {
    const { heap, bound } = fakeHeap(20 * MiB);
    heap.live = 300 * MiB;
    heap.used = 300 * MiB;
    bound.check();
    expect(heap.collections).toBe(1);
    // 300 MiB now live: the next collection waits for half of that again, not 64 MiB.
    heap.used = 300 * MiB + 100 * MiB;
    bound.check();
    expect(heap.collections).toBe(1);
    heap.used = 300 * MiB + 151 * MiB;
    bound.check();
    expect(heap.collections).toBe(2);
  });

  it('checks the heap whenever a slice yields, and only then', async () => {
    const { heap, bound } = fakeHeap(20 * MiB);
    const slicer = bound.slicer(UNSLICED);
    heap.used = 200 * MiB;
    expect(slicer.due()).toBe(false);
    expect(heap.collections).toBe(0);
    await slicer.yield();
    expect(heap.collections).toBe(1);
  });

  it('collects when asked, whatever the heap', () => {
    const { heap, bound } = fakeHeap(20 * MiB);
    bound.collect();
    expect(heap.collections).toBe(1);
  });
});
