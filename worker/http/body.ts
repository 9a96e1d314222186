/**
 * Reads a JSON body through a shared zod schema. Anything that does not parse
 * is answered here with a specific 400/413, before a handler can touch state.
 */
import type { Context } from 'hono';
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { jsonError } from './errors.ts';

// zod/mini says only "Invalid input" until a locale is loaded; the worker's
// 400s (and the room's error events) say which limit was broken.
z.config(en());

/** Largest body the API reads: answers are 500 characters, so 16 KiB is generous. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The body as text, or 413 `body_too_large` past MAX_BODY_BYTES (by its header, then by what came). */
export async function readText(c: Context): Promise<{ ok: true; text: string } | { ok: false; res: Response }> {
  const tooLarge = () => ({
    ok: false as const,
    res: jsonError(c, 413, 'body_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB.`),
  });
  if (Number(c.req.header('Content-Length') ?? 0) > MAX_BODY_BYTES) return tooLarge();
  const text = await c.req.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) return tooLarge();
  return { ok: true, text };
}

/** The parsed body, or the error response to return as is. */
export async function readJson<T extends z.ZodMiniType>(
  c: Context,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; res: Response }> {
  const body = await readText(c);
  if (!body.ok) return body;
  let json: unknown;
  try {
    json = JSON.parse(body.text);
  } catch {
    return { ok: false, res: jsonError(c, 400, 'invalid_json', 'The request body is not valid JSON.') };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, res: invalid(c, 'invalid_body', 'body', parsed.error.issues) };
}

/** The parsed query string, or the 400 to return. */
export function readQuery<T extends z.ZodMiniType>(
  c: Context,
  schema: T,
): { ok: true; data: z.infer<T> } | { ok: false; res: Response } {
  const parsed = schema.safeParse(c.req.query());
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, res: invalid(c, 'invalid_query', 'query', parsed.error.issues) };
}

/** 400 `code`, the first issue as the message (prefixed by its field, or `whole` for the body or query itself), all of them in `issues`. */
function invalid(c: Context, code: string, whole: 'body' | 'query', issues: readonly z.core.$ZodIssue[]): Response {
  const list = issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = list[0];
  const message = first ? `${first.path || whole}: ${first.message}` : 'The request is not valid.';
  return jsonError(c, 400, code, message, { issues: list });
}
