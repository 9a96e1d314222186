/**
 * Wire schemas (zod) of the HTTP bodies both sides exchange. Kept apart from
 * the rules in compat.ts so a page that only needs a constant does not load
 * the validator.
 */
import * as z from 'zod/mini';
import { BUILD_ID } from './compat.ts';

/** A build id as headers and manifests carry it. */
export const buildIdSchema = z.string().check(z.regex(BUILD_ID));

/**
 * `{"error": code, "message": text}`, the shape of every non-2xx JSON body.
 * Clients branch on `error`, never on `message`.
 */
export const errorBodySchema = z.looseObject({ error: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof errorBodySchema>;

const apiRangeSchema = z.object({ min: z.int(), max: z.int() });

/** Body of a 409 version-mismatch answer. */
export const compatErrorSchema = z.object({
  error: z.enum(['client_outdated', 'client_too_new']),
  message: z.string(),
  serverVersion: z.string(),
  apiRange: apiRangeSchema,
});
export type CompatError = z.infer<typeof compatErrorSchema>;

/** Body of `GET /api/version`. */
export const versionInfoSchema = z.object({
  version: z.string(),
  versionId: z.string(),
  build: buildIdSchema,
  apiLevel: z.int(),
  apiRange: apiRangeSchema,
});
export type VersionInfo = z.infer<typeof versionInfoSchema>;
