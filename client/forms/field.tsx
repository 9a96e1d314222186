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
    case 'nickname':
      return t.nicknameRefusals[error.refusal];
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

/** How a field counts its characters, and how many it takes. */
export interface CharCounter {
  count: (text: string) => number;
  max: number;
}

/**
 * How many of `max` characters `text` uses, as `count` measures them (the
 * rule the server applies), marked once past `max`. Not a live region: it is
 * part of the field's description, and a refusal is said when submitting.
 */
function Counter({ id, text, count, max }: CharCounter & { id: string; text: Signal<string> }) {
  const t = messages();
  const used = count(text.value);
  return (
    <p id={id} class={used > max ? 'counter over' : 'counter'} data-testid={id} data-count={used}>
      {t.charCount(used, max)}
    </p>
  );
}

/** Label, hint, counter and error around one control; returns the ARIA wiring for the control. */
function Shell({
  id,
  label,
  error,
  hint,
  required,
  counted,
  children,
}: FieldShell & {
  counted?: (CharCounter & { text: Signal<string> }) | undefined;
  children: (aria: AriaWiring) => ComponentChildren;
}) {
  const t = messages();
  const described = [hint ? `${id}-hint` : '', counted ? `${id}-count` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
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
      {counted ? <Counter id={`${id}-count`} {...counted} /> : null}
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

/**
 * A one-line or multi-line text field whose text lives in `value` (a draft).
 * `maxLength` stops typing at that many UTF-16 units; a `counter` shows the
 * count instead, for text whose characters are not UTF-16 units (nicknames).
 */
export function TextField(
  props: FieldShell & {
    value: Signal<string>;
    maxLength?: number;
    counter?: CharCounter;
    multiline?: boolean;
    autoComplete?: string;
    autoCapitalize?: 'characters';
  },
) {
  const { id, value, maxLength, counter, multiline, autoComplete, autoCapitalize, required } = props;
  const onInput = (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
    (value.value = event.currentTarget.value);
  return (
    <Shell {...props} counted={counter && { ...counter, text: value }}>
      {(aria) =>
        multiline ? (
          <textarea
            id={id}
            name={id}
            rows={3}
            value={value}
            maxLength={maxLength}
            required={required}
            onInput={onInput}
            {...aria}
          />
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
export function SelectField(
  props: FieldShell & { value: Signal<string>; options: { value: string; label: string }[] },
) {
  const { id, value, options } = props;
  return (
    <Shell {...props} required>
      {(aria) => (
        <select
          id={id}
          name={id}
          value={value}
          onChange={(event) => (value.value = event.currentTarget.value)}
          {...aria}
        >
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
  options: { value: string; label: string; hint: string }[];
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
