/**
 * Made-up client addresses for callers that stand for learners. The worker's
 * per-address limits (worker/http/rate-limit.ts) count `CF-Connecting-IP`.
 * On Cloudflare the edge sets it from the connection; `wrangler dev` keeps one
 * the client sends (it fills it in only when missing), and a worker test's
 * `app.request` has none. So the rehearsal's learners, the bench's and the
 * worker tests' callers send one, arriving from networks of their own as real
 * learners do, instead of all counting as one address.
 */

/** The header Cloudflare puts the client's address in. */
export const CLIENT_ADDRESS_HEADER = 'CF-Connecting-IP';

/** A random address in 10.0.0.0/8: private, so never a real client's on Cloudflare. */
export function madeUpAddress(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}
