import type { OperationWindow } from './operation-table';

/**
 * Samplane's limits on `POST /api/v1/throughput` (see the README's report API). A document
 * breaking one is refused whole, so documents are cut to fit and names Samplane would refuse
 * are left out rather than sent.
 */
export const REPORT_LIMITS = {
  maxOperationsPerReport: 2000,
  maxOperationLength: 1024,
  maxInstanceLength: 256,
  maxWindowSeconds: 86_400,
  // Samplane accepts 1 MiB; half of it leaves room for JSON escapes our estimate may miss.
  maxBodyBytes: 512 * 1024,
} as const;

export interface ReportBatch {
  /** Bodies to POST, each with the entries it carries. */
  documents: Array<{ body: string; operations: OperationWindow[] }>;
  /** Entries whose operation name Samplane would refuse (empty, or too long). */
  skipped: number;
}

export function buildReports(
  service: string,
  instance: string,
  coveredMs: number,
  operations: readonly OperationWindow[],
): ReportBatch {
  const windowSeconds = Math.min(
    REPORT_LIMITS.maxWindowSeconds,
    Math.max(0.001, Math.round(coveredMs) / 1000),
  );
  const head = `{"service":${JSON.stringify(service)},"instance":${JSON.stringify(instance)},"windowSeconds":${windowSeconds},"operations":[`;
  const headBytes = Buffer.byteLength(head) + 2;
  const documents: ReportBatch['documents'] = [];
  let skipped = 0;
  let items: string[] = [];
  let carried: OperationWindow[] = [];
  let bytes = headBytes;
  const close = () => {
    if (items.length > 0) documents.push({ body: `${head}${items.join(',')}]}`, operations: carried });
    items = [];
    carried = [];
    bytes = headBytes;
  };
  for (const op of operations) {
    if (op.operation.trim() === '' || op.operation.length > REPORT_LIMITS.maxOperationLength) {
      skipped++;
      continue;
    }
    const item = encodeOperation(op);
    const itemBytes = Buffer.byteLength(item) + 1;
    if (items.length >= REPORT_LIMITS.maxOperationsPerReport || bytes + itemBytes > REPORT_LIMITS.maxBodyBytes) close();
    items.push(item);
    carried.push(op);
    bytes += itemBytes;
  }
  close();
  return { documents, skipped };
}

function encodeOperation(op: OperationWindow): string {
  const probability = op.probability === undefined ? '' : `,"probability":${op.probability}`;
  return (
    `{"operation":${JSON.stringify(op.operation)},"count":${op.count},"sampled":${op.sampled},` +
    `"sampledErrors":${Math.min(op.errors, op.sampled)}${probability}}`
  );
}
