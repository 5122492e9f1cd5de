/**
 * The index of the interval [bounds[i], bounds[i+1]) holding `slot`, or -1 outside them all.
 * Bounds are ascending; there are only a few (a bucket and its recent part, or a leader's
 * history), so a scan is enough.
 */
export function intervalOf(bounds: number[], slot: number): number {
  for (let i = 0; i + 1 < bounds.length; i++) if (slot >= bounds[i] && slot < bounds[i + 1]) return i;
  return -1;
}

/** The slot starts in [bounds[0], bounds[last]), `slotMs` apart. */
export function slotsBetween(bounds: number[], slotMs: number): number[] {
  const slots: number[] = [];
  if (bounds.length < 2) return slots;
  for (let slot = bounds[0]; slot < bounds[bounds.length - 1]; slot += slotMs) slots.push(slot);
  return slots;
}
