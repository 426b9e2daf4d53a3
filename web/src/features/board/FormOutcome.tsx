/**
 * The end of every form that sends a command: the server's refusal when it
 * names no field of the form (a field's own goes next to it), what the
 * command did once it is stored, and the button, which says it is sending
 * and takes no second click meanwhile.
 */
export function FormOutcome({
  error,
  done,
  pending,
  label,
  wide = false,
}: {
  /** the refusal not tied to a field, if any */
  readonly error: string | undefined;
  /** what to say once the command is stored, or undefined until it is */
  readonly done: string | undefined;
  readonly pending: boolean;
  readonly label: string;
  /** across the whole width of a grid form */
  readonly wide?: boolean;
}) {
  return (
    <>
      {error !== undefined && (
        <p role="alert" className={wide ? 'error wide' : 'error'}>
          ⚠ {error}
        </p>
      )}
      {done !== undefined && (
        <p role="status" className={wide ? 'wide' : undefined}>
          {done}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? 'Sending…' : label}
      </button>
    </>
  );
}
