/** The slot starts from a window before bounds[0] (rounded down to a slot) to bounds[last]. */
export function slotsBetween(bounds: number[], slotMs: number, windowMs = 0): number[] {
  const slots: number[] = [];
  if (bounds.length < 2) return slots;
  const first = Math.floor((bounds[0] - windowMs) / slotMs) * slotMs;
  for (let slot = first; slot < bounds[bounds.length - 1]; slot += slotMs) slots.push(slot);
  return slots;
}
