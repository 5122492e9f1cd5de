import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';

/**
 * Root spans of one operation at a rate that can change, on real time, each recorded with its
 * sampling decision. A share `errorRatio()` of them ends with status ERROR, spread evenly (a
 * carried fraction), so a test sees the client and Samplane rather than dice.
 */
export function generateLoad(tracer: Tracer, operation: string, rate: () => number, errorRatio: () => number = () => 0) {
  const spans: Array<{ at: number; sampled: boolean; error: boolean }> = [];
  let carry = 0;
  let errorCarry = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    carry += (rate() * (now - last)) / 1000;
    last = now;
    const count = Math.floor(carry);
    carry -= count;
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan(operation, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
      errorCarry += errorRatio();
      const error = errorCarry >= 1;
      if (error) {
        errorCarry -= 1;
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      spans.push({ at: now, sampled: span.isRecording(), error });
      span.end();
    }
  }, 20);
  return { stop: () => clearInterval(timer), spans };
}
