/**
 * Labelled form fields bound to draft signals. Each field has a real
 * `<label>`, says when it is optional, and ties its error text to the input
 * with `aria-describedby`, so every form reads the same way to everyone.
 */
import type { Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import type { Catalog } from '../i18n/en.ts';
import { messages } from '../i18n/locale.ts';
import type { FieldError } from './validate.ts';

/** The sentence for a field error, in the current language. */
function fieldErrorText(t: Catalog, error: FieldError): string {
  switch (error.kind) {
    case 'required':
      return t.fieldRequired;
    case 'tooLong':
      return t.fieldTooLong(error.max);
    case 'format':
      return t.fieldCodeFormat;
    case 'invalid':
      return t.fieldInvalid;
  }
}

interface FieldShell {
  id: string;
  label: string;
  error?: FieldError | undefined;
  hint?: string;
  required?: boolean;
}

/** Label, hint and error around one control; returns the ARIA wiring for the control. */
function Shell({ id, label, error, hint, required, children }: FieldShell & { children: (aria: AriaWiring) => ComponentChildren }) {
  const t = messages();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>
        {label}
        {required ? null : <span class="optional"> {t.optional}</span>}
      </label>
      {hint ? (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      ) : null}
      {children({ 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described || undefined })}
      {error ? (
        <p id={`${id}-error`} class="field-error">
          {fieldErrorText(t, error)}
        </p>
      ) : null}
    </div>
  );
}

interface AriaWiring {
  'aria-invalid': 'true' | undefined;
  'aria-describedby': string | undefined;
}

/** A one-line or multi-line text field whose text lives in `value` (a draft). */
export function TextField(
  props: FieldShell & {
    value: Signal<string>;
    maxLength?: number;
    multiline?: boolean;
    autoComplete?: string;
    autoCapitalize?: 'characters';
  },
) {
  const { id, value, maxLength, multiline, autoComplete, autoCapitalize, required } = props;
  const onInput = (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => (value.value = event.currentTarget.value);
  return (
    <Shell {...props}>
      {(aria) =>
        multiline ? (
          <textarea id={id} name={id} rows={3} value={value} maxLength={maxLength} required={required} onInput={onInput} {...aria} />
        ) : (
          <input
            id={id}
            name={id}
            value={value}
            maxLength={maxLength}
            required={required}
            autoComplete={autoComplete ?? 'off'}
            autoCapitalize={autoCapitalize}
            onInput={onInput}
            {...aria}
          />
        )
      }
    </Shell>
  );
}

/** A choice from a short list, e.g. the minutes of a cycle. */
export function SelectField(props: FieldShell & { value: Signal<string>; options: { value: string; label: string }[] }) {
  const { id, value, options } = props;
  return (
    <Shell {...props} required>
      {(aria) => (
        <select id={id} name={id} value={value} onChange={(event) => (value.value = event.currentTarget.value)} {...aria}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Shell>
  );
}

/** One of a few options as radio buttons in a fieldset, for choices worth seeing side by side. */
export function RadioGroup(props: {
  name: string;
  legend: string;
  value: Signal<string>;
  /** A disabled option stays visible with its hint, so learners see why it is unavailable. */
  options: { value: string; label: string; hint: string; disabled?: boolean }[];
}) {
  const { name, legend, value, options } = props;
  return (
    <fieldset class="choices">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} class="choice" for={`${name}-${option.value}`}>
          <input
            type="radio"
            id={`${name}-${option.value}`}
            name={name}
            value={option.value}
            checked={value.value === option.value}
            disabled={option.disabled}
            onChange={() => (value.value = option.value)}
          />
          <span>
            <strong>{option.label}</strong>
            <span class="hint">{option.hint}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
