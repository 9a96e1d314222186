/**
 * How the operator scripts end when they will not go on: one clear line (or
 * a list of problems) and an exit code, never a stack trace.
 */

/** Prints `message` and exits: 2 for a wrong command line (the default), 1 for anything refused or unreachable. */
export function fail(message: string, code: 1 | 2 = 2): never {
  console.error(message);
  process.exit(code);
}

/** Prints why `what` refused, one problem a line, and exits 1. */
export function refuse(what: string, problems: string[]): never {
  return fail(`${what} refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 1);
}

/** The error's message (a failed fetch, a rejected answer), without the stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
