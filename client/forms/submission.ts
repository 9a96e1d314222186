/**
 * One form's trip to the server: check with the shared schema, send, and
 * keep what went wrong (per field and for the whole form) for the view. Every
 * form in the app goes through this, so they all behave alike.
 *
 * The schemas (and zod with them) load in a lazy chunk: a form asks for it
 * when it appears, so it is there by the time the learner submits, and the
 * first page load does not carry the validator.
 */
import { signal } from '@preact/signals';
import type * as z from 'zod/mini';
import type { ApiResult } from '../net/http.ts';
import { preload } from '../router/preload.ts';
import { check, type FieldErrors, serverFieldErrors } from './validate.ts';

type Schemas = typeof import('../../shared/api.ts');
/** The name of a wire schema in shared/api.ts. */
type SchemaName = { [K in keyof Schemas]: Schemas[K] extends z.ZodMiniType ? K : never }[keyof Schemas];

let schemas: Promise<Schemas> | null = null;
/** Starts loading the schemas chunk (once); forms call it when they mount. */
export function loadSchemas(): Promise<Schemas> {
  if (schemas === null) preload('shared/api.ts');
  schemas ??= import('../../shared/api.ts').catch((error: unknown) => {
    schemas = null;
    throw error;
  });
  return schemas;
}

/** Creates the submission state of one form. */
export function createSubmission() {
  /** True while a request is out; a second submit is ignored meanwhile. */
  const busy = signal(false);
  /** The error code of the last failed request (`study_not_found`, `network`...), shown as an alert. */
  const error = signal<string | null>(null);
  /** What is wrong with which field. */
  const fields = signal<FieldErrors>({});
  /** After a 429: how many seconds the server asked to wait before trying again. */
  const retryAfter = signal<number | null>(null);

  return {
    busy,
    error,
    fields,
    retryAfter,
    /**
     * Checks `input` with the schema `name`, then runs `send` with the parsed
     * data. Resolves to the answer when the server accepted it, null otherwise.
     */
    async run<N extends SchemaName, R>(
      name: N,
      input: unknown,
      send: (data: z.output<Schemas[N]>) => Promise<ApiResult<R>>,
    ): Promise<R | null> {
      if (busy.value) return null;
      busy.value = true;
      try {
        error.value = null;
        retryAfter.value = null;
        const loaded = await loadSchemas().catch(() => null);
        if (!loaded) {
          error.value = 'network';
          return null;
        }
        const checked = check(loaded[name] as z.ZodMiniType, input);
        fields.value = checked.ok ? {} : checked.errors;
        if (!checked.ok) return null;
        // The data is what the schema `name` parsed, so it has that schema's output type.
        const result = await send(checked.data as z.output<Schemas[N]>);
        if (result.ok) return result.data;
        error.value = result.error.error;
        retryAfter.value = 'retryAfter' in result ? (result.retryAfter ?? null) : null;
        fields.value = serverFieldErrors(result.error);
        return null;
      } finally {
        busy.value = false;
      }
    },
    /** Forgets the last outcome, when the form it belonged to is gone. */
    reset() {
      error.value = null;
      retryAfter.value = null;
      fields.value = {};
    },
  };
}

/** A form's submission state, as views receive it. */
export type Submission = ReturnType<typeof createSubmission>;
