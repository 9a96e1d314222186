/**
 * The client's reading of error answers (client/net/errors.ts) on its own:
 * it checks by hand what shared/schemas.ts checks with zod, so the compat
 * path never waits on the zod chunk; here both readings must agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readError } from '../../client/net/errors.ts';
import { COMPAT } from '../../shared/compat.ts';
import { compatErrorSchema, errorBodySchema } from '../../shared/schemas.ts';

const MISMATCH = { error: 'client_outdated', message: 'Reload.', serverVersion: 'v2', apiRange: { min: 2, max: 3 } };

const BODIES: unknown[] = [
  MISMATCH,
  { ...MISMATCH, error: 'client_too_new', extra: true },
  { ...MISMATCH, error: 'study_not_found' },
  { ...MISMATCH, apiRange: { min: 2.5, max: 3 } },
  { ...MISMATCH, apiRange: { min: 2 } },
  { ...MISMATCH, apiRange: null },
  { ...MISMATCH, serverVersion: 2 },
  { error: 'validation', message: 'Check the form.', fields: { name: 'too_long' } },
  { error: 'rate_limited' },
  { error: 1, message: 'x' },
  [],
  null,
  'text',
];

const answer = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });

describe('reading error answers', () => {
  test('a 409 that asks for a reload: the mismatch exactly when compatErrorSchema accepts the body', () => {
    for (const body of BODIES) {
      const { mismatch } = readError(answer(409, { [COMPAT.compatHeader]: 'reload' }), body);
      const parsed = compatErrorSchema.safeParse(body);
      assert.deepEqual(mismatch, parsed.success ? parsed.data : null, JSON.stringify(body));
    }
    assert.equal(readError(answer(409), MISMATCH).mismatch, null, 'no mismatch without the reload header');
  });

  test('the error body exactly when errorBodySchema accepts it, else "unexpected"', () => {
    for (const body of BODIES) {
      const { error } = readError(answer(400), body);
      const parsed = errorBodySchema.safeParse(body);
      assert.deepEqual(
        error,
        parsed.success ? parsed.data : { error: 'unexpected', message: 'Unexpected answer (400).' },
        JSON.stringify(body),
      );
    }
  });

  test('Retry-After in seconds on a 429 or 503 only', () => {
    assert.equal(readError(answer(429, { 'Retry-After': ' 12 ' }), null).retryAfter, 12);
    assert.equal(readError(answer(503, { 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' }), null).retryAfter, null);
    assert.equal(readError(answer(400, { 'Retry-After': '5' }), null).retryAfter, null);
  });
});
