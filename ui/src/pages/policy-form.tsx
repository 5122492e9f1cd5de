import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, type AuditPage, type Policy, type PolicyPreview, call, enc, get } from '../api';
import { type Draft, documentOf, draftOf } from '../policy-draft';
import { PreviewTable } from './preview-table';

export interface Editing {
  policy: Policy | null;
  /** The ETag the form was opened with; null when creating. */
  etag: string | null;
}

interface Conflict {
  message: string;
}

/**
 * The policy document as labelled fields. Saving sends the ETag the form was opened with, so a
 * change made meanwhile is never overwritten: the 412 is reported and the operator reloads.
 */
export function PolicyForm(props: { service: string; editing: Editing; onDone(message: string): void; onCancel(): void }) {
  const { service } = props;
  const [editing, setEditing] = useState(props.editing);
  const [draft, setDraft] = useState<Draft>(draftOf(editing.policy));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | undefined>(undefined);
  const [conflict, setConflict] = useState<Conflict | undefined>(undefined);
  const [preview, setPreview] = useState<PolicyPreview | undefined>(undefined);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const path = `/api/v1/policies/${enc(service)}`;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]): void => setDraft((d) => ({ ...d, [key]: value }));
  const setOperation = (index: number, key: keyof Draft['operations'][number], value: string): void =>
    setDraft((d) => ({ ...d, operations: d.operations.map((op, i) => (i === index ? { ...op, [key]: value } : op)) }));

  /** A 400 goes next to the field it names; other refusals above the buttons. */
  const refused = (reason: unknown): void => {
    if (reason instanceof ApiError && reason.status === 400 && reason.field) {
      setErrors({ [reason.field]: reason.message });
      const input = form.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(reason.field)}"]`);
      if (input) input.focus();
      else setGeneral(reason.message);
      return;
    }
    setGeneral(reason instanceof Error ? reason.message : String(reason));
  };

  const start = (): void => {
    setErrors({});
    setGeneral(undefined);
    setBusy(true);
  };

  const conflicted = async (): Promise<void> => {
    const [latest] = (await get<AuditPage>(`/api/v1/audit?service=${enc(service)}&limit=1`).catch(() => ({ items: [] }))).items;
    const by = latest ? `${latest.actor} (${latest.action}, version ${latest.version}, ${new Date(latest.at).toLocaleString('en-GB')})` : 'someone else';
    setConflict({ message: `The policy for ${service} was changed by ${by} since this form was opened. Nothing was saved.` });
  };

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    start();
    try {
      const headers: Record<string, string> = editing.etag ? { 'if-match': editing.etag } : { 'if-none-match': '*' };
      const answer = await call<Policy>('PUT', path, { body: documentOf(draft), headers });
      props.onDone(`Policy saved (version ${answer.etag?.replace(/"/g, '') ?? '?'}).`);
    } catch (reason) {
      if (reason instanceof ApiError && reason.status === 412) await conflicted();
      else refused(reason);
    } finally {
      setBusy(false);
    }
  };

  const runPreview = async (): Promise<void> => {
    start();
    try {
      setPreview((await call<PolicyPreview>('POST', `${path}/preview`, { body: documentOf(draft) })).body);
    } catch (reason) {
      refused(reason);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (): Promise<void> => {
    start();
    try {
      await call('DELETE', path, { headers: editing.etag ? { 'if-match': editing.etag } : {} });
      props.onDone('Policy deleted.');
    } catch (reason) {
      setConfirmDelete(false);
      if (reason instanceof ApiError && reason.status === 412) await conflicted();
      else refused(reason);
    } finally {
      setBusy(false);
    }
  };

  const reload = async (): Promise<void> => {
    try {
      const answer = await call<Policy>('GET', path);
      setEditing({ policy: answer.body, etag: answer.etag });
      setDraft(draftOf(answer.body));
    } catch (reason) {
      if (!(reason instanceof ApiError && reason.status === 404)) throw reason;
      setEditing({ policy: null, etag: null });
      setDraft(draftOf(null));
    }
    setConflict(undefined);
    setErrors({});
    setPreview(undefined);
  };

  const field = (name: string, label: string, input: string, onInput: (v: string) => void, hint?: string) => (
    <Field name={name} label={label} error={errors[name]} hint={hint}>
      <input
        id={`field-${name}`}
        data-field={name}
        type="text"
        inputMode="decimal"
        value={input}
        aria-invalid={errors[name] ? 'true' : undefined}
        aria-describedby={describedBy(name, errors, hint)}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </Field>
  );

  return (
    <section class="policy-form" aria-labelledby="policy-form-heading">
      <h2 id="policy-form-heading">{editing.policy ? `Edit the policy for ${service}` : `Create a policy for ${service}`}</h2>
      {conflict && (
        <div class="conflict" role="alert">
          <p>{conflict.message}</p>
          <button type="button" onClick={() => void reload()}>
            Reload the policy
          </button>
        </div>
      )}
      <form ref={form} noValidate onSubmit={(e) => void save(e)}>
        <Field name="mode" label="Mode" error={errors.mode}>
          <select id="field-mode" data-field="mode" value={draft.mode} onChange={(e) => set('mode', e.currentTarget.value as Draft['mode'])}>
            <option value="adaptive">adaptive (the engine computes rates)</option>
            <option value="probabilistic">probabilistic (one fixed rate)</option>
            <option value="ratelimiting">ratelimiting (traces per second)</option>
          </select>
        </Field>
        {draft.mode === 'adaptive' && (
          <>
            {field('targetSamplesPerSecond', 'Target samples per second', draft.targetSamplesPerSecond, (v) => set('targetSamplesPerSecond', v), 'Sampled traces per second each operation should yield.')}
            {field('budgetTracesPerSecond', 'Service budget (traces per second)', draft.budgetTracesPerSecond, (v) => set('budgetTracesPerSecond', v), 'Shared among all operations of the service.')}
            {field('minSamplingProbability', 'Minimum probability', draft.minSamplingProbability, (v) => set('minSamplingProbability', v))}
            {field('maxSamplingProbability', 'Maximum probability', draft.maxSamplingProbability, (v) => set('maxSamplingProbability', v))}
            <Field name="errorBoost" label="Error boost" error={errors.errorBoost}>
              <select id="field-errorBoost" data-field="errorBoost" value={draft.boost} onChange={(e) => set('boost', e.currentTarget.value as Draft['boost'])}>
                <option value="default">the engine’s default</option>
                <option value="off">off</option>
                <option value="custom">custom</option>
              </select>
            </Field>
            {draft.boost === 'custom' && (
              <>
                {field('errorBoost.targetErrorSamplesPerSecond', 'Errored traces per second while boosted', draft.boostTarget, (v) => set('boostTarget', v))}
                {field('errorBoost.maxSamplingProbability', 'Boosted probability at most', draft.boostMax, (v) => set('boostMax', v))}
                {field('errorBoost.cooldown', 'Boost cooldown (e.g. 5m)', draft.boostCooldown, (v) => set('boostCooldown', v))}
              </>
            )}
          </>
        )}
        {draft.mode === 'probabilistic' && field('samplingRate', 'Sampling rate', draft.samplingRate, (v) => set('samplingRate', v), 'A probability from 0 to 1.')}
        {draft.mode === 'ratelimiting' && field('maxTracesPerSecond', 'Max traces per second', draft.maxTracesPerSecond, (v) => set('maxTracesPerSecond', v))}
        {field('lowerBoundTracesPerSecond', 'Lower bound (traces per second per operation)', draft.lowerBoundTracesPerSecond, (v) => set('lowerBoundTracesPerSecond', v))}
        <fieldset>
          <legend>Operations: pinned rates and own targets</legend>
          {draft.operations.map((op, i) => (
            <div class="operation-row" key={i}>
              {field(`operations[${i}].operation`, `Operation ${i + 1} name`, op.operation, (v) => setOperation(i, 'operation', v))}
              {field(`operations[${i}].samplingRate`, `Operation ${i + 1} pinned sampling rate`, op.samplingRate, (v) => setOperation(i, 'samplingRate', v))}
              {draft.mode === 'adaptive' &&
                field(`operations[${i}].targetSamplesPerSecond`, `Operation ${i + 1} target samples per second`, op.targetSamplesPerSecond, (v) =>
                  setOperation(i, 'targetSamplesPerSecond', v),
                )}
              <button type="button" class="secondary" onClick={() => set('operations', draft.operations.filter((_, j) => j !== i))}>
                Remove operation {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            class="secondary"
            onClick={() => set('operations', [...draft.operations, { operation: '', samplingRate: '', targetSamplesPerSecond: '' }])}
          >
            Add operation
          </button>
        </fieldset>
        <Field name="description" label="Description" error={errors.description}>
          <textarea id="field-description" data-field="description" rows={2} value={draft.description} onInput={(e) => set('description', e.currentTarget.value)} />
        </Field>
        {general && (
          <p class="error" role="alert">
            {general}
          </p>
        )}
        <div class="buttons">
          <button type="submit" disabled={busy || conflict !== undefined}>
            Save
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => void runPreview()}>
            Preview
          </button>
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
          {editing.policy && !confirmDelete && (
            <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
              Delete policy
            </button>
          )}
        </div>
        {confirmDelete && (
          <div class="confirm" role="alertdialog" aria-labelledby="confirm-delete-text">
            <p id="confirm-delete-text">Delete the policy for {service}? Its rates go back to the strategies file, the default policy or the engine.</p>
            <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
              Yes, delete
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </div>
        )}
      </form>
      {preview && <PreviewTable preview={preview} />}
    </section>
  );
}

function describedBy(name: string, errors: Record<string, string>, hint?: string): string | undefined {
  const ids = [hint ? `hint-${name}` : '', errors[name] ? `error-${name}` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function Field(props: { name: string; label: string; error?: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={`field-${props.name}`}>{props.label}</label>
      {props.children}
      {props.hint && (
        <small id={`hint-${props.name}`} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <p id={`error-${props.name}`} class="error field-error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}
