/** a field's error, announced when it appears; an empty region when there is none, so aria-describedby always resolves */
export function FieldError({ id, message }: { readonly id: string; readonly message: string | undefined }) {
  return (
    <p id={id} className="field-error" role={message === undefined ? undefined : 'alert'}>
      {message === undefined ? null : <>⚠ {message}</>}
    </p>
  );
}
