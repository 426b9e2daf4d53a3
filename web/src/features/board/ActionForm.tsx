import { useMutation, useQueryClient } from '@tanstack/react-query';
import { memo, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ApiProblem, postJson } from '../../shared/api.ts';
import { FieldError } from '../../shared/FieldError.tsx';
import { PREVIEW_REASON, usePreview } from '../../shared/preview.ts';
import { PreviewNotice } from './PreviewNotice.tsx';
import { FormOutcome } from './FormOutcome.tsx';
import type { ActionField } from './request-offers.ts';

export interface ActionFormProps {
  /** a unique prefix for the fields' ids */
  readonly id: string;
  readonly title: string;
  readonly submitLabel: string;
  readonly path: string;
  /** the reason is required before the form sends (a decision always needs one) */
  readonly reasonRequired: boolean;
  /** the form takes no reason at all (reporting units on scene) */
  readonly noReason?: boolean;
  readonly fields?: readonly ActionField[];
  /** what the user should know before sending, beside what the preview says */
  readonly notice?: ReactNode;
  /** the form starts open (the one action a card is about) */
  readonly open?: boolean;
  readonly onDone?: () => void;
}

type Values = Readonly<Record<string, string>>;

/** the body the form sends, from what is filled in; undefined fields are left out */
function bodyOf(p: ActionFormProps, values: Values, units: readonly string[], reason: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of p.fields ?? []) {
    if (f.kind === 'units') {
      if (units.length > 0) body['units'] = units;
    } else if (f.kind === 'count') {
      const n = Number(values[f.name] ?? '');
      if ((values[f.name] ?? '') !== '') body[f.name] = Number.isFinite(n) ? n : values[f.name];
    } else if ((values[f.name] ?? '').trim() !== '') body[f.name] = (values[f.name] as string).trim();
  }
  if (!p.noReason && reason.trim() !== '') body['reason'] = reason.trim();
  return body;
}

/**
 * One command on a request or an order, behind a disclosure button so a
 * board of many requests stays light: open, it asks the server what the
 * command would do (the verdict and its clauses, who would be told, a
 * refusal it would meet) before anything is sent. A decision cannot be sent
 * without a reason; the server's refusal appears next to the field it names
 * (problem+json `field`), or under the form when it names none.
 */
export const ActionForm = memo(function ActionForm(p: ActionFormProps) {
  const [open, setOpen] = useState(p.open ?? false);
  return (
    <div className="action-wrap">
      <button
        type="button"
        className="disclose"
        aria-expanded={open}
        aria-controls={`${p.id}-form`}
        id={`${p.id}-open`}
        data-action={p.id}
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'} {p.title}
      </button>
      {open && <OpenActionForm {...p} />}
    </div>
  );
});

function OpenActionForm(p: ActionFormProps) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const [units, setUnits] = useState<readonly string[]>([]);
  const [values, setValues] = useState<Values>({});
  const [local, setLocal] = useState<Record<string, string>>({});
  const send = useMutation({
    mutationFn: (body: Record<string, unknown>) => postJson<unknown>(p.path, body),
    onSuccess: () => {
      setReason('');
      setUnits([]);
      setValues({});
      p.onDone?.();
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['incident'] }),
  });
  const body = bodyOf(p, values, units, reason);
  // the reason's words change no decision: the preview is asked again when the fields change, not on every keystroke of it
  const previewBody = useMemo(
    () => (p.noReason ? bodyOf(p, values, units, '') : { ...bodyOf(p, values, units, ''), reason: PREVIEW_REASON }),
    [p, values, units],
  );
  const preview = usePreview(p.path, previewBody, !send.isPending);

  const problem = send.error instanceof ApiProblem ? send.error : undefined;
  const serverField = (field: string) =>
    problem?.field !== undefined && (problem.field === field || problem.field.startsWith(`${field}[`) || problem.field.startsWith(`${field}.`))
      ? problem.message
      : undefined;
  const names = ['reason', ...(p.fields ?? []).map((f) => (f.kind === 'units' ? 'units' : f.name))];
  const errorOf = (name: string) => local[name] ?? serverField(name);
  const formError = send.error !== null && names.every((n) => serverField(n) === undefined) ? send.error.message : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const l: Record<string, string> = {};
    if (!p.noReason && p.reasonRequired && reason.trim() === '') l['reason'] = 'A reason is required: say why, for the record and for the agencies told.';
    for (const f of p.fields ?? []) {
      if (f.kind === 'units' && f.required && units.length === 0) l['units'] = 'Choose at least one unit.';
      if (f.kind === 'count') {
        const n = Number(values[f.name] ?? '');
        if (!Number.isInteger(n) || n < 1) l[f.name] = 'A whole number, at least 1.';
      }
      if (f.kind === 'text' && f.required && (values[f.name] ?? '').trim() === '') l[f.name] = `${f.label} is required.`;
    }
    setLocal(l);
    if (Object.keys(l).length > 0) return;
    send.reset();
    send.mutate(body);
  };

  return (
    <form id={`${p.id}-form`} className="action" onSubmit={submit} noValidate aria-labelledby={`${p.id}-title`}>
      <h4 id={`${p.id}-title`}>{p.title}</h4>
      {p.notice}
      <PreviewNotice id={p.id} preview={preview.data} pending={preview.isPending && preview.fetchStatus !== 'idle'} />
      {(p.fields ?? []).map((f) => {
        if (f.kind === 'units') {
          const err = errorOf('units');
          return (
            <fieldset key="units" aria-describedby={`${p.id}-units-error`} aria-invalid={err !== undefined}>
              <legend>Units{f.required ? ' (at least one)' : ' (none chosen: all)'}</legend>
              {f.options.length === 0 && <p className="muted">No unit to choose.</p>}
              {f.options.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    name="units"
                    value={u.id}
                    checked={units.includes(u.id)}
                    onChange={(e) => setUnits(e.target.checked ? [...units, u.id] : units.filter((x) => x !== u.id))}
                  />{' '}
                  {u.label}
                </label>
              ))}
              <FieldError id={`${p.id}-units-error`} message={err} />
            </fieldset>
          );
        }
        const err = errorOf(f.name);
        const fid = `${p.id}-${f.name}`;
        const required = f.kind === 'count' || f.required;
        return (
          <div className="field" key={f.name}>
            <label htmlFor={fid}>
              {f.label}
              {required ? ' (required)' : ' (optional)'}
            </label>
            {f.kind === 'count' ? (
              <input
                id={fid}
                inputMode="numeric"
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                aria-invalid={err !== undefined}
                aria-describedby={`${fid}-error`}
              />
            ) : (
              <textarea
                id={fid}
                rows={2}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                aria-invalid={err !== undefined}
                aria-describedby={`${fid}-error`}
              />
            )}
            <FieldError id={`${fid}-error`} message={err} />
          </div>
        );
      })}
      {!p.noReason && (
        <div className="field">
          <label htmlFor={`${p.id}-reason`}>Reason{p.reasonRequired ? ' (required)' : ' (optional)'}</label>
          <textarea
            id={`${p.id}-reason`}
            name="reason"
            rows={2}
            value={reason}
            required={p.reasonRequired}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={errorOf('reason') !== undefined}
            aria-describedby={`${p.id}-reason-error`}
          />
          <FieldError id={`${p.id}-reason-error`} message={errorOf('reason')} />
        </div>
      )}
      <FormOutcome error={formError} done={send.isSuccess ? 'Sent.' : undefined} pending={send.isPending} label={p.submitLabel} />
    </form>
  );
}
