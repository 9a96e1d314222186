/**
 * Guest tokens: `<memberId>.<issuedAt>.<signature>`, HMAC-SHA256 with the
 * TOKEN_SECRET binding. No third-party login (DESIGN §2): the token is the
 * learner's only credential, so it is verified on every call.
 *
 * - One spelling per credential: the signature must be the exact 43-character
 *   base64url of the HMAC. Decoding alone would ignore the spare bits of the
 *   last character, letting four strings verify as one token.
 * - A token lives TOKEN_LIFETIME_MS from `issuedAt`, and one issued in the
 *   future (beyond TOKEN_CLOCK_SKEW_MS) is refused. A learner who keeps using
 *   the app is never signed out: an authenticated call with a token older than
 *   TOKEN_RENEW_AFTER_MS is answered with a fresh one (see requireMember).
 * - Rotation: tokens signed with TOKEN_SECRET_PREVIOUS still verify, and are
 *   renewed at once, so learners move onto TOKEN_SECRET as they come back.
 */

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a token is accepted after it was issued: a learner who comes back within 90 days keeps their identity and records. */
export const TOKEN_LIFETIME_MS = 90 * DAY_MS;
/** Past this age an authenticated call hands back a fresh token, so an active learner's token never gets old. */
export const TOKEN_RENEW_AFTER_MS = DAY_MS;
/** How far in the future `issuedAt` may lie: the worker's own clocks, which disagree by far less. */
export const TOKEN_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** `<memberId>.<issuedAt>.<signature>`: a UUID, epoch milliseconds without leading zeros, a signature (SIGNATURE). */
const TOKEN = /^([0-9a-f-]{36})\.([1-9]\d{0,15})\.([^.]*)$/;
/** An HMAC-SHA256 is 32 bytes: 43 base64url characters without padding. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/** The secrets a token may be signed with: new tokens always with `current`; `previous` only verifies, during a rotation. */
export interface TokenSecrets {
  current: string;
  previous?: string | undefined;
}

/** A token that verified: whose it is, and whether the caller should be handed a fresh one. */
export interface VerifiedToken {
  memberId: string;
  /** Older than TOKEN_RENEW_AFTER_MS, or signed with the previous secret. */
  renew: boolean;
}

/**
 * The token secrets of this worker; null when TOKEN_SECRET is not set, so
 * nobody can be signed in and callers answer 503 instead of failing.
 */
export function tokenSecrets(env: Pick<Env, 'TOKEN_SECRET' | 'TOKEN_SECRET_PREVIOUS'>): TokenSecrets | null {
  return env.TOKEN_SECRET ? { current: env.TOKEN_SECRET, previous: env.TOKEN_SECRET_PREVIOUS || undefined } : null;
}

/** One imported key per secret, so signing costs one HMAC, not an import too. */
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** The bytes of a signature, or null unless `text` is their one canonical spelling. */
function signatureBytes(text: string): Uint8Array<ArrayBuffer> | null {
  // The exact length first: atob throws on some lengths (4n + 1).
  if (!SIGNATURE.test(text)) return null;
  const bytes = Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (ch) => ch.charCodeAt(0));
  return base64url(bytes) === text ? bytes : null;
}

/** The HMAC-SHA256 of `payload` with `secret`, base64url: for tokens and the operator's session. */
export async function signPayload(secret: string, payload: string): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload)));
}

/**
 * Whether `signature` is `payload`'s, in constant time (crypto.subtle.verify).
 * Anything else is false, never an exception: malformed, non-canonical, or no secret at all.
 */
export async function verifyPayload(secret: string, payload: string, signature: string): Promise<boolean> {
  const bytes = signatureBytes(signature);
  return (
    !!secret &&
    bytes !== null &&
    (await crypto.subtle.verify('HMAC', await hmacKey(secret), bytes, encoder.encode(payload)))
  );
}

/** Signs a token for `memberId`, issued at `issuedAt` (epoch ms). */
export async function signToken(secret: string, memberId: string, issuedAt: number): Promise<string> {
  const payload = `${memberId}.${issuedAt}`;
  return `${payload}.${await signPayload(secret, payload)}`;
}

/**
 * Reads a token at `now`: its member and whether to renew it, or null for
 * anything forged, malformed, non-canonical, expired or issued in the future.
 * @example
 * const secrets = tokenSecrets(c.env); // null: answer 503
 * const verified = secrets && (await readToken(secrets, token, c.var.now())); // null: answer 401
 */
export async function readToken(secrets: TokenSecrets, token: string, now: number): Promise<VerifiedToken | null> {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const [, memberId, issued, signature] = match as unknown as [string, string, string, string];
  const issuedAt = Number(issued);
  if (issuedAt <= now - TOKEN_LIFETIME_MS || issuedAt > now + TOKEN_CLOCK_SKEW_MS) return null;
  const payload = `${memberId}.${issued}`;
  if (await verifyPayload(secrets.current, payload, signature))
    return { memberId, renew: now - issuedAt >= TOKEN_RENEW_AFTER_MS };
  if (secrets.previous && (await verifyPayload(secrets.previous, payload, signature))) return { memberId, renew: true };
  return null;
}
