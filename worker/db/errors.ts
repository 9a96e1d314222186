/**
 * What a D1 failure means for the caller. D1's message is the only signal it
 * gives (drizzle wraps it, keeping D1's error as the `cause`), so these read
 * the messages of the whole cause chain. The wording follows Cloudflare's D1
 * error list (developers.cloudflare.com/d1/observability/debug-d1/) and
 * SQLite's for a locked local database.
 */

/** D1 refused the write itself: a retry of the same write cannot pass. */
const REFUSED =
  /constraint failed|SQLITE_CONSTRAINT|SQLITE_TOOBIG|SQLITE_MISMATCH|datatype mismatch|string or blob too big/i;
/** D1 could not answer now: overloaded, a lost connection, a reset, a storage timeout, a locked database. */
const UNAVAILABLE =
  /D1 DB is overloaded|Network connection lost|storage caused object to be reset|reset because its code was updated|exceeded timeout|SQLITE_BUSY|database is locked/i;

/** The messages of `err` and its causes, outermost first (a few levels: D1's own error is at most two down). */
function messages(err: unknown): string[] {
  const found: string[] = [];
  for (let e: unknown = err; e !== undefined && found.length < 5; e = e instanceof Error ? e.cause : undefined) {
    found.push(e instanceof Error ? e.message : String(e));
  }
  return found;
}

/**
 * D1's reason when it refused a write for a reason a retry cannot fix (a
 * constraint, a value too big or of the wrong type), else null. Anything else
 * may pass next time, so the room keeps retrying it.
 */
export function refusedByD1(err: unknown): string | null {
  return messages(err).find((m) => REFUSED.test(m)) ?? null;
}

/** Whether D1 was unavailable for a moment: the caller is told to try again shortly (503), not that something broke (500). */
export function d1Unavailable(err: unknown): boolean {
  return messages(err).some((m) => UNAVAILABLE.test(m));
}
