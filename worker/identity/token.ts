/**
 * Guest tokens: `<memberId>.<issuedAt>.<signature>`, HMAC-SHA256 with the
 * TOKEN_SECRET binding. No third-party login (DESIGN §2): the token is the
 * learner's only credential, so it is verified on every call.
 */

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

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

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** The HMAC-SHA256 of `payload` with `secret`, base64url: for tokens and the operator's session. */
export async function signPayload(secret: string, payload: string): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload)));
}

/** Whether `signature` is `payload`'s, in constant time (crypto.subtle.verify). */
export async function verifyPayload(secret: string, payload: string, signature: string): Promise<boolean> {
  const bytes = fromBase64url(signature);
  return bytes !== null && (await crypto.subtle.verify('HMAC', await hmacKey(secret), bytes, encoder.encode(payload)));
}

/** Signs a token for `memberId`. */
export async function signToken(secret: string, memberId: string, issuedAt: number): Promise<string> {
  const payload = `${memberId}.${issuedAt}`;
  return `${payload}.${await signPayload(secret, payload)}`;
}

/** The member id a token was signed for, or null for anything forged or malformed. */
export async function verifyToken(secret: string, token: string): Promise<string | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [memberId, issuedAt, signature] = parts as [string, string, string];
  if (!/^[0-9a-f-]{36}$/.test(memberId) || !/^\d{1,16}$/.test(issuedAt)) return null;
  return (await verifyPayload(secret, `${memberId}.${issuedAt}`, signature)) ? memberId : null;
}
