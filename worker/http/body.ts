/**
 * What a route reads from a request, checked by Hono's `bodyLimit` and
 * `validator` with a shared zod schema. Anything that does not pass is
 * answered here with a specific 400/413, before a handler can touch state;
 * the handler reads the parsed value with `c.req.valid('json' | 'query')`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { jsonError } from './errors.ts';

// zod/mini says only "Invalid input" until a locale is loaded; the worker's
// 400s (and the room's error events) say which limit was broken.
z.config(en());

/** Largest body the API reads: answers are 500 characters, so 16 KiB is generous. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * 413 `body_too_large` past MAX_BODY_BYTES: by the Content-Length header, or
 * while the body streams in, so an oversized body is never buffered whole.
 */
export const limitBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => jsonError(c, 413, 'body_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB.`),
});

/** 400 `code`, the first issue as the message (prefixed by its field, or `whole` for the body or query itself), all of them in `issues`. */
function invalid(c: Context, code: string, whole: 'body' | 'query', issues: readonly z.core.$ZodIssue[]): Response {
  const list = issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = list[0];
  const message = first ? `${first.path || whole}: ${first.message}` : 'The request is not valid.';
  return jsonError(c, 400, code, message, { issues: list });
}

/** The validator of `target` through `schema`: its output, or 400 `code`. */
function validate<T extends z.ZodMiniType, U extends 'json' | 'query'>(target: U, schema: T, code: string) {
  return validator(target, (value, c) => {
    const parsed = schema.safeParse(value);
    return parsed.success
      ? (parsed.data as z.output<T>)
      : invalid(c, code, target === 'json' ? 'body' : 'query', parsed.error.issues);
  });
}

/** `application/json`, or a `+json` type, with any parameters (`; charset=utf-8`). */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * A JSON body (Content-Type `application/json`) read within MAX_BODY_BYTES and
 * parsed by `schema`: 413 `body_too_large`, 415 `unsupported_media_type` for a
 * body sent as another type (Hono's validator would read it as no body and the
 * 400 would blame a missing field), 400 `invalid_json` (Hono's validator
 * throws its own plain-text 400 there, answered here as our JSON), or 400
 * `invalid_body`.
 * @example
 * app.all('/members', allow('POST'), jsonBody(createMemberBody), (c) => c.json(c.req.valid('json')));
 */
export function jsonBody<T extends z.ZodMiniType>(schema: T) {
  const check = validate('json', schema, 'invalid_body');
  const read: typeof check = async (c, next) => {
    const tooLarge = await limitBody(c, async () => {});
    if (tooLarge) return tooLarge;
    const type = c.req.header('Content-Type');
    if (type !== undefined && !JSON_TYPE.test(type)) {
      return jsonError(
        c,
        415,
        'unsupported_media_type',
        `Send the body as JSON with Content-Type: application/json, not ${type}.`,
      );
    }
    try {
      const refused = await check(c, async () => {});
      if (refused) return refused;
    } catch (err) {
      if (!(err instanceof HTTPException)) throw err;
      return jsonError(c, 400, 'invalid_json', 'The request body is not valid JSON.');
    }
    await next();
  };
  return read;
}

/** The query string parsed by `schema`, or 400 `invalid_query`. */
export function validQuery<T extends z.ZodMiniType>(schema: T) {
  return validate('query', schema, 'invalid_query');
}
