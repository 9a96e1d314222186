/**
 * Version compatibility rules shared by the worker and the client (DESIGN §4).
 *
 * A worker serves its own API level and the one before it, so one release can
 * always overlap the last during a gradual deployment.
 */
/** The API level of this source tree; clients and workers built from it speak it. */
export const API_LEVEL = 3;

/** Header and protocol names every part and every tool agrees on. */
export const COMPAT = {
  buildHeader: 'X-Haru-Build',
  apiHeader: 'X-Haru-Api',
  versionHeader: 'X-Haru-Version',
  rangeHeader: 'X-Haru-Api-Range',
  compatHeader: 'X-Haru-Compat',
  /** Sent by clients so one learner keeps hitting one version during a rollout. */
  versionKeyHeader: 'Cloudflare-Workers-Version-Key',
  /** WebSocket close code for a client outside the accepted range. */
  closeVersionMismatch: 4409,
} as const;

/** Inclusive range of API levels a worker accepts. */
export interface ApiRange {
  min: number;
  max: number;
}

/** A build id: content-derived hex, or a version+commit tag such as `1.0.0-ab12cd3`. */
export const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The levels a worker of `level` serves: its own and the previous one.
 * @example apiRangeFor(2) // { min: 1, max: 2 }
 */
export function apiRangeFor(level: number): ApiRange {
  return { min: Math.max(1, level - 1), max: level };
}

/** `1-2`, the wire form of a range in `X-Haru-Api-Range`. */
export function formatRange(range: ApiRange): string {
  return `${range.min}-${range.max}`;
}

/** Parses `X-Haru-Api-Range`; null when the header is missing or malformed. */
export function parseRange(raw: string | null): ApiRange | null {
  const match = raw ? /^(\d{1,4})-(\d{1,4})$/.exec(raw) : null;
  if (!match) return null;
  const range = { min: Number(match[1]), max: Number(match[2]) };
  return range.min <= range.max ? range : null;
}

/** The two ways a client can fall outside the range; also the JSON error codes. */
export type Mismatch = 'client_outdated' | 'client_too_new';

/** Where `level` stands against `range`: null when it is served. */
export function checkLevel(level: number, range: ApiRange): Mismatch | null {
  if (level < range.min) return 'client_outdated';
  if (level > range.max) return 'client_too_new';
  return null;
}

/**
 * Parses the `X-Haru-Api` header. Missing means "current level" (curl, health
 * checks); anything but a plain decimal integer is malformed.
 */
export function parseApiHeader(raw: string | null): { ok: true; level: number | null } | { ok: false } {
  if (raw === null) return { ok: true, level: null };
  if (!/^\d{1,4}$/.test(raw.trim())) return { ok: false };
  return { ok: true, level: Number(raw.trim()) };
}

/** The WebSocket subprotocol for a level, since browsers cannot set headers on sockets. */
export function subprotocolFor(level: number): string {
  return `haru.${level}`;
}

/** Prefix of the subprotocol that carries the guest token (headers cannot be set on sockets). */
export const TOKEN_SUBPROTOCOL = 'haru-token.';

/**
 * Response header of an authenticated call whose token is due for renewal
 * (a day old, or signed with the previous secret during a rotation): a fresh
 * token for the same member, which the client keeps in place of the old one.
 */
export const TOKEN_RENEWAL_HEADER = 'X-Haru-Token';

/**
 * Reads `Sec-WebSocket-Protocol`: the API level the client offers (`haru.<n>`),
 * its guest token (`haru-token.<token>`), null for what is missing, and the
 * offered subprotocol the server selects. A browser fails a handshake whose
 * answer selects none of the protocols it offered (close 1006), so even a
 * refusal (4409, 4401) must select one of them to reach the page: the offered
 * `haru.<digits>` of any length (a level of more than 4 digits is not read),
 * else the first offered; null only when none was offered.
 * @example parseSubprotocols('haru.99999, haru-token.x') // { level: null, token: 'x', protocol: 'haru.99999' }
 */
export function parseSubprotocols(header: string | null): {
  level: number | null;
  token: string | null;
  protocol: string | null;
} {
  const offered = (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  let level: number | null = null;
  let token: string | null = null;
  let levelProtocol: string | null = null;
  for (const item of offered) {
    const digits = /^haru\.(\d+)$/.exec(item)?.[1];
    if (digits !== undefined) {
      levelProtocol = item;
      level = digits.length <= 4 ? Number(digits) : null;
    } else if (item.startsWith(TOKEN_SUBPROTOCOL)) token = item.slice(TOKEN_SUBPROTOCOL.length);
  }
  return { level, token, protocol: levelProtocol ?? offered[0] ?? null };
}
