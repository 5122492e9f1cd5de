import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface OtlpExportResult {
  ok: boolean;
  /** The HTTP status of a refused export. */
  status?: number;
  message?: string;
}

/** Exports one root span per name for `service` with the OpenTelemetry OTLP/HTTP protobuf exporter. */
export async function otlpExport(options: {
  url: string;
  service: string;
  names: string[];
  headers?: Record<string, string>;
  /** PEM of the CA to trust for an https url. */
  ca?: string;
}): Promise<OtlpExportResult> {
  const worker = new Worker(join(__dirname, 'otlp-export-worker.js'), {
    workerData: { headers: {}, ...options },
  });
  try {
    return await new Promise<OtlpExportResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`export worker exited with ${code} before answering`)));
    });
  } finally {
    await worker.terminate();
  }
}
