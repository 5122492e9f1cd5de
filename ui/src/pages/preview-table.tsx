import type { PolicyPreview } from '../api';
import { probability, rate } from '../format';

/** What the draft would serve beside what is served now, on the recent traffic. */
export function PreviewTable({ preview }: { preview: PolicyPreview }) {
  return (
    <section aria-labelledby="preview-heading" class="preview">
      <h3 id="preview-heading">Preview on recent traffic</h3>
      <p>
        Calculated by the engine over {preview.buckets} recent interval{preview.buckets === 1 ? '' : 's'}. Nothing has been saved.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Operation</th>
            <th scope="col" class="num">Requests/s</th>
            <th scope="col" class="num">Probability now</th>
            <th scope="col" class="num">Sampled/s now</th>
            <th scope="col" class="num">Probability with the draft</th>
            <th scope="col" class="num">Sampled/s with the draft</th>
          </tr>
        </thead>
        <tbody>
          {preview.operations.map((op) => (
            <tr key={op.operation}>
              <th scope="row">{op.operation}</th>
              <td class="num">{rate(op.requestsPerSecond)}</td>
              <td class="num">{probability(op.current.probability)}</td>
              <td class="num">{rate(op.current.expectedSampledPerSecond)}</td>
              <td class="num">{probability(op.draft.probability)}</td>
              <td class="num">{rate(op.draft.expectedSampledPerSecond)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Service total</th>
            <td class="num">{rate(preview.total.requestsPerSecond)}</td>
            <td />
            <td class="num">{rate(preview.total.current.expectedSampledPerSecond)}</td>
            <td>{preview.total.budgetTracesPerSecond !== undefined ? `budget ${rate(preview.total.budgetTracesPerSecond)}` : ''}</td>
            <td class="num">{rate(preview.total.draft.expectedSampledPerSecond)}</td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
