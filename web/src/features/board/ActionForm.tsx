import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiProblem, postJson } from '../../shared/api.ts';
import { FieldError } from '../../shared/FieldError.tsx';

export interface ActionFormProps {
  /** a unique prefix for the fields' ids */
  readonly id: string;
  readonly title: string;
  readonly submitLabel: string;
  readonly path: string;
  /** the reason is required before the form sends */
  readonly reasonRequired: boolean;
  /** units to choose from (commit, withdraw); none: no unit field */
  readonly units?: readonly { readonly id: string; readonly label: string }[];
  /** what the user should know before sending (who will be told) */
  readonly notice?: ReactNode;
  readonly onDone?: () => void;
}

/**
 * One command on a request: a reason (required where the protocols ask for
 * one; the form refuses to send without it) and, for commit and withdraw,
 * the units. The server's refusal appears next to the field it names
 * (problem+json `field`), or under the form when it names none.
 */
export function ActionForm(p: ActionFormProps) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const [units, setUnits] = useState<readonly string[]>([]);
  const [local, setLocal] = useState<{ reason?: string; units?: string }>({});
  const send = useMutation({
    mutationFn: (body: Record<string, unknown>) => postJson<unknown>(p.path, body),
    onSuccess: () => {
      setReason('');
      setUnits([]);
      p.onDone?.();
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['incident'] }),
  });
  const problem = send.error instanceof ApiProblem ? send.error : undefined;
  const serverField = (field: string) =>
    problem?.field !== undefined && (problem.field === field || problem.field.startsWith(`${field}[`)) ? problem.message : undefined;
  const reasonError = local.reason ?? serverField('reason');
  const unitsError = local.units ?? serverField('units');
  const formError = send.error !== null && reasonError === undefined && unitsError === undefined ? send.error.message : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const l: { reason?: string; units?: string } = {};
    if (p.reasonRequired && reason.trim() === '') l.reason = 'A reason is required: say why, for the record and for the agencies told.';
    if (p.units !== undefined && units.length === 0) l.units = 'Choose at least one unit.';
    setLocal(l);
    if (Object.keys(l).length > 0) return;
    send.reset();
    send.mutate({ ...(reason.trim() !== '' ? { reason: reason.trim() } : {}), ...(p.units !== undefined ? { units } : {}) });
  };

  return (
    <form className="action" onSubmit={submit} noValidate aria-labelledby={`${p.id}-title`}>
      <h4 id={`${p.id}-title`}>{p.title}</h4>
      {p.notice}
      {p.units !== undefined && (
        <fieldset aria-describedby={`${p.id}-units-error`} aria-invalid={unitsError !== undefined}>
          <legend>Units</legend>
          {p.units.length === 0 && <p className="muted">No unit to choose.</p>}
          {p.units.map((u) => (
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
          <FieldError id={`${p.id}-units-error`} message={unitsError} />
        </fieldset>
      )}
      <div className="field">
        <label htmlFor={`${p.id}-reason`}>Reason{p.reasonRequired ? ' (required)' : ' (optional)'}</label>
        <textarea
          id={`${p.id}-reason`}
          name="reason"
          rows={2}
          value={reason}
          required={p.reasonRequired}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={reasonError !== undefined}
          aria-describedby={`${p.id}-reason-error`}
        />
        <FieldError id={`${p.id}-reason-error`} message={reasonError} />
      </div>
      {formError !== undefined && (
        <p role="alert" className="error">
          ⚠ {formError}
        </p>
      )}
      {send.isSuccess && <p role="status">Sent.</p>}
      <button type="submit" disabled={send.isPending}>
        {send.isPending ? 'Sending…' : p.submitLabel}
      </button>
    </form>
  );
}
