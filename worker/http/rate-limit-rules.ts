/**
 * The limits on guessing and flooding, one per `[[ratelimits]]` binding in
 * wrangler.toml with the same name, limit and period (test/scripts checks
 * they agree). Cloudflare's binding counts and decides; this table is what
 * the worker says about a refusal (`Retry-After`, the message) and what the
 * tests exhaust. Kept free of worker types so Node can read it too.
 *
 * Chosen so a real learner never meets them:
 * - a school's classes share one NAT address: 60 sign-ups and 60 join tries
 *   a minute let a class of 30 sign up and join within the same minute, each
 *   learner mistyping the code once, with room for a second class;
 * - one learner tries a code a few times at most; 10 a minute per member
 *   stops a script, while the address limit stops a script that makes new
 *   members to get more tries (the sign-up limit caps those too);
 * - an operator pastes one token; 5 tries a minute is plenty, and caps
 *   guessing at the form (the token is a long random secret anyway).
 *
 * Cloudflare counts per location and approximately (permissive, eventually
 * consistent), so a burst may get a little past a limit before it holds.
 */
export const RATE_LIMIT_RULES = {
  signUpsPerAddress: { binding: 'SIGN_UPS_PER_ADDRESS', limit: 60, period: 60, what: 'sign-ups from your network' },
  joinsPerMember: { binding: 'JOINS_PER_MEMBER', limit: 10, period: 60, what: 'tries at joining a study' },
  joinsPerAddress: {
    binding: 'JOINS_PER_ADDRESS',
    limit: 60,
    period: 60,
    what: 'tries at joining a study from your network',
  },
  opsLoginsPerAddress: {
    binding: 'OPS_LOGINS_PER_ADDRESS',
    limit: 5,
    period: 60,
    what: 'sign-in attempts from your network',
  },
} as const;

/** One limit: its binding, how many calls per period (seconds: 10 or 60), and what it counts, for the message. */
export type RateLimitRule = (typeof RATE_LIMIT_RULES)[keyof typeof RATE_LIMIT_RULES];
