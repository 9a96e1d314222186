/** Error codes from the API, said in the learner's language. */
import type { Catalog } from '../i18n/en.ts';
import { messages } from '../i18n/locale.ts';

/** The sentence for an API error code; codes we do not know get a calm generic one. A 429 or a busy database says how long to wait. */
function errorText(t: Catalog, code: string, retryAfter: number | null): string {
  if (code === 'rate_limited') return t.rateLimited(retryAfter);
  if (code === 'unavailable') return t.unavailable(retryAfter);
  return Object.hasOwn(t.apiErrors, code) ? t.apiErrors[code as keyof Catalog['apiErrors']] : t.apiErrors.unexpected;
}

/** An error, announced by screen readers as it appears; nothing when `code` is null. `retryAfter`: a 429's or 503's wait in seconds. */
export function ErrorAlert({
  code,
  retryAfter = null,
  testId = 'error',
}: {
  code: string | null;
  retryAfter?: number | null;
  testId?: string;
}) {
  if (!code) return null;
  return (
    <p class="alert" role="alert" data-testid={testId} data-error={code}>
      {errorText(messages(), code, retryAfter)}
    </p>
  );
}
