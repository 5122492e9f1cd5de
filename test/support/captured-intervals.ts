/**
 * Runs `create` while recording every `setInterval` it starts, so a test can stop timers that
 * a library offers no way to stop (the OTel Jaeger remote sampler polls forever from its
 * constructor and would keep Jest from exiting).
 */
export function withCapturedIntervals<T>(create: () => T): { value: T; clear(): void } {
  const original = globalThis.setInterval;
  const handles: NodeJS.Timeout[] = [];
  const capturing = ((...args: Parameters<typeof setInterval>) => {
    const handle = original(...args);
    handles.push(handle);
    return handle;
  }) as typeof setInterval;
  globalThis.setInterval = capturing;
  let value: T;
  try {
    value = create();
  } finally {
    globalThis.setInterval = original;
  }
  return { value, clear: () => handles.forEach((handle) => clearInterval(handle)) };
}
