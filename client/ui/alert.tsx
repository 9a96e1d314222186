/** Error codes from the API, said in the learner's language. */
import type { Catalog } from '../i18n/en.ts';
import { messages } from '../i18n/locale.ts';

/** The sentence for an API error code; codes we do not know get a calm generic one. */
function errorText(t: Catalog, code: string): string {
  return Object.hasOwn(t.apiErrors, code) ? t.apiErrors[code as keyof Catalog['apiErrors']] : t.apiErrors.unexpected;
}

/** An error, announced by screen readers as it appears; nothing when `code` is null. */
export function ErrorAlert({ code, testId = 'error' }: { code: string | null; testId?: string }) {
  if (!code) return null;
  return (
    <p class="alert" role="alert" data-testid={testId} data-error={code}>
      {errorText(messages(), code)}
    </p>
  );
}
