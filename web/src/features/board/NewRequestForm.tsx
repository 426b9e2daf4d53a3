import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiProblem, postJson } from '../../shared/api.ts';
import { FieldError } from '../../shared/FieldError.tsx';
import type { IncidentView, Session } from '../../shared/types.ts';

// the values POST /v1/requests takes (see /openapi.json)
const CATEGORIES = [
  'officer_in_danger',
  'crowd_safety',
  'traffic_control',
  'perimeter',
  'transport',
  'medical',
  'investigation_support',
  'enforcement_support',
  'other',
];
const URGENCIES = ['immediate', 'urgent', 'routine'];
const OPERATIONS = ['emergency_response', 'public_order', 'criminal_enforcement', 'civil_immigration_enforcement', 'other', 'unknown'];

const words = (s: string) => s.replaceAll('_', ' ');

/** a request for units to another agency of the incident; the receiving agency's protocols judge it at once */
export function NewRequestForm({ view, session }: { readonly view: IncidentView; readonly session: Session }) {
  const client = useQueryClient();
  const others = view.agencies.filter((a) => a.id !== session.agency);
  const [to, setTo] = useState(others[0]?.id ?? '');
  const [category, setCategory] = useState('officer_in_danger');
  const [urgency, setUrgency] = useState('immediate');
  const [operation, setOperation] = useState('emergency_response');
  const [count, setCount] = useState('2');
  const [description, setDescription] = useState('');
  const [location, setLocation] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const send = useMutation({
    mutationFn: (body: Record<string, unknown>) => postJson<unknown>('/v1/requests', body),
    onSuccess: () => {
      setDescription('');
      setLocation('');
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['incident'] }),
  });
  if (session.reviewer || session.scope !== 'write' || others.length === 0) return null;

  const problem = send.error instanceof ApiProblem ? send.error : undefined;
  const FIELDS = ['to', 'category', 'urgency', 'operation', 'unitsRequested', 'description', 'location'];
  const err = (f: string) => local[f] ?? (problem?.field === f ? problem.message : undefined);
  const formError = send.error !== null && (problem?.field === undefined || !FIELDS.includes(problem.field)) ? send.error.message : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const l: Record<string, string> = {};
    if (description.trim() === '') l['description'] = 'Say what is happening and what the units are needed for.';
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) l['unitsRequested'] = 'A whole number of units, at least 1.';
    setLocal(l);
    if (Object.keys(l).length > 0) return;
    send.reset();
    send.mutate({
      incidentId: view.incident.id,
      to,
      kind: 'units',
      category,
      urgency,
      operation,
      unitsRequested: n,
      description: description.trim(),
      ...(location.trim() !== '' ? { location: location.trim() } : {}),
    });
  };
  const select = (id: string, label: string, value: string, set: (v: string) => void, options: readonly { value: string; label: string }[]) => (
    <div className="field">
      <label htmlFor={`new-request-${id}`}>{label}</label>
      <select id={`new-request-${id}`} value={value} onChange={(e) => set(e.target.value)} aria-describedby={`new-request-${id}-error`}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError id={`new-request-${id}-error`} message={err(id)} />
    </div>
  );

  return (
    <section aria-labelledby="new-request-title" className="panel">
      <h2 id="new-request-title">Request help</h2>
      <form onSubmit={submit} noValidate className="grid-form">
        {select(
          'to',
          'To agency',
          to,
          setTo,
          others.map((a) => ({ value: a.id, label: a.name })),
        )}
        {select(
          'category',
          'Category',
          category,
          setCategory,
          CATEGORIES.map((c) => ({ value: c, label: words(c) })),
        )}
        {select(
          'urgency',
          'Urgency',
          urgency,
          setUrgency,
          URGENCIES.map((c) => ({ value: c, label: words(c) })),
        )}
        {select(
          'operation',
          'Your operation',
          operation,
          setOperation,
          OPERATIONS.map((c) => ({ value: c, label: words(c) })),
        )}
        <div className="field">
          <label htmlFor="new-request-unitsRequested">Units needed</label>
          <input
            id="new-request-unitsRequested"
            inputMode="numeric"
            value={count}
            onChange={(e) => setCount(e.target.value)}
            aria-invalid={err('unitsRequested') !== undefined}
            aria-describedby="new-request-unitsRequested-error"
          />
          <FieldError id="new-request-unitsRequested-error" message={err('unitsRequested')} />
        </div>
        <div className="field">
          <label htmlFor="new-request-location">Where (optional)</label>
          <input id="new-request-location" value={location} onChange={(e) => setLocation(e.target.value)} aria-describedby="new-request-location-error" />
          <FieldError id="new-request-location-error" message={err('location')} />
        </div>
        <div className="field wide">
          <label htmlFor="new-request-description">What is happening (required)</label>
          <textarea
            id="new-request-description"
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            aria-invalid={err('description') !== undefined}
            aria-describedby="new-request-description-error"
          />
          <FieldError id="new-request-description-error" message={err('description')} />
        </div>
        {formError !== undefined && (
          <p role="alert" className="error wide">
            ⚠ {formError}
          </p>
        )}
        {send.isSuccess && (
          <p role="status" className="wide">
            Request sent.
          </p>
        )}
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send request'}
        </button>
      </form>
    </section>
  );
}
