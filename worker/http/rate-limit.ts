/**
 * Limits on guessing and flooding, as middleware in front of the handler:
 * one call counted against a rule (rate-limit-rules.ts) under a key (the
 * caller's address, or who they are), and past the limit a 429 with
 * `Retry-After` before the handler can change anything.
 *
 * The counting is Cloudflare's Workers Rate Limiting binding: per Cloudflare
 * location, permissive and eventually consistent
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/).
 * It says only yes or no, so `Retry-After` is the rule's whole period: by
 * then the calls that used the limit up have left the window.
 *
 * @example
 * app.post('/members', rateLimit(RATE_LIMIT_RULES.signUpsPerAddress, clientAddress), signUp);
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.ts';
import { jsonError } from './errors.ts';
import type { RateLimitRule } from './rate-limit-rules.ts';

/** How a refusal is answered; the middleware has set `Retry-After` already. */
export type RateLimitRefusal<E extends AppEnv> = (c: Context<E>, rule: RateLimitRule) => Response | Promise<Response>;

/** The API's refusal: 429 `rate_limited`, saying when to try again. */
function refuseJson(c: Context, rule: RateLimitRule): Response {
  return jsonError(
    c,
    429,
    'rate_limited',
    `Too many ${rule.what} in a short time. Try again in ${rule.period} seconds; nothing was changed.`,
  );
}

/**
 * Counts the call against `rule` under `keyOf(c)`; past the limit, answers
 * 429 with `Retry-After` (JSON `rate_limited`, or `refuse` for other shapes)
 * and the handler never runs.
 */
export function rateLimit<E extends AppEnv>(
  rule: RateLimitRule,
  keyOf: (c: Context<E>) => string,
  refuse: RateLimitRefusal<E> = refuseJson,
): MiddlewareHandler<E> {
  return async (c, next) => {
    const limiter: RateLimit = c.env[rule.binding];
    const { success } = await limiter.limit({ key: keyOf(c) });
    if (success) return next();
    c.header('Retry-After', String(rule.period));
    return refuse(c, rule);
  };
}

/** The key of calls that name no address: only calls from inside (tests' `app.request`, a service binding) lack one. */
export const NO_ADDRESS = 'no-address';

/**
 * Who a per-address limit counts: `CF-Connecting-IP`, which Cloudflare sets
 * on every request from outside (and `wrangler dev` to the caller's address
 * when the client sent none). An IPv6 address counts as its /64, the block
 * one subscriber gets, so walking through one's own block gains nothing.
 * Calls without it share one key, NO_ADDRESS.
 */
export function clientAddress(c: Context): string {
  const address = c.req.header('CF-Connecting-IP')?.trim();
  if (!address) return NO_ADDRESS;
  // IPv4, and IPv4 written inside IPv6 (::ffff:192.0.2.1), count whole.
  if (!address.includes(':') || address.includes('.')) return address;
  const [head = '', tail] = address.split('::');
  const groups = head ? head.split(':') : [];
  if (tail !== undefined) {
    const rest = tail ? tail.split(':') : [];
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill('0'), ...rest);
  }
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(':')}::/64`;
}
