/**
 * Credentials a forger or a broken client might send, for the tests of every
 * credential path (guest tokens, the operator's session cookie): none may
 * answer anything but 401.
 */

/** The base64url alphabet in the order of the 6-bit values it spells. */
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The other spellings of `token` that decode to the same bytes: a 43-character
 * signature ends in a character with 2 spare bits, which decoding ignores.
 */
export function sameBytesOtherSpellings(token: string): string[] {
  const last = BASE64URL.indexOf(token.at(-1) ?? '');
  return [1, 2, 3].map((spare) => `${token.slice(0, -1)}${BASE64URL[(last & ~3) | spare]}`);
}

/** xorshift32 in [0, 1): deterministic, so a failing case is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    return state / 2 ** 32;
  };
}

/** Strings of every length from 0 to 64 over a few alphabets: what a forger or a broken client might send as a signature. */
export function forgedSignatures(): string[] {
  const next = seeded(2026);
  const pick = (alphabet: string, length: number) =>
    Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
  const out: string[] = [];
  for (let length = 0; length <= 64; length++) {
    out.push(
      'A'.repeat(length),
      '_'.repeat(length),
      pick(BASE64URL, length),
      pick(`${BASE64URL}+/=`, length),
      pick(printable, length),
    );
  }
  return out;
}
