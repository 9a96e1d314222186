/**
 * Conditional GET (RFC 9110 §13.1.2): If-None-Match uses the weak comparison,
 * so `W/"x"` matches `"x"`, and `*` matches anything that exists.
 */

/** True when the request's If-None-Match covers `etag`, so a 304 is the answer. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}
