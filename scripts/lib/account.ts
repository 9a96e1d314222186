/**
 * The worker's versions and deployments on the account, as `wrangler
 * <command> --json` prints them, or from a file holding that JSON (tests and
 * operators without wrangler credentials at hand). Shared by the release,
 * assets:gc and the contract, which all ask which versions exist and which run.
 */
import { readFile } from 'node:fs/promises';
import type * as z from 'zod/mini';
import { fail, messageOf } from './cli.ts';
import { wranglerJson } from './wrangler.ts';

/** The JSON of `wrangler <command> --json`, or of `file` when given, read with `schema`; exits with why when it cannot. */
export function accountJson<T extends z.ZodMiniType>(
  file: string | undefined,
  command: string[],
  schema: T,
): Promise<z.infer<T>> {
  return (
    file ? readFile(file, 'utf8').then((text) => JSON.parse(text) as unknown) : wranglerJson([...command, '--json'])
  )
    .then((json) => schema.parse(json))
    .catch((error: unknown) => fail(`could not read the worker's ${command[0]}: ${messageOf(error)}`, 1));
}
