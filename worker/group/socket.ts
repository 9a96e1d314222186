/**
 * `GET /api/v2/studies/:studyId/socket`: the door to a room. The worker
 * checks the API level (subprotocol `haru.<n>`) and the guest token, then
 * hands the upgrade to the study's room object, which knows its participants.
 * Refusals are WebSocket close codes, since browsers cannot read the HTTP
 * status of a failed upgrade.
 */
import type { Context } from 'hono';
import { CLOSE, checkLevel, parseSubprotocols } from '../../shared/index.ts';
import { jsonError } from '../http/errors.ts';
import { readToken, tokenSecrets } from '../identity/token.ts';
import type { AppEnv } from '../types.ts';

/** Accepts the upgrade only to close it at once with `code`: the client learns why. */
function refuse(protocol: string | null, code: number, reason: string): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  pair[1].close(code, reason);
  return upgraded(pair[0], protocol);
}

/**
 * A 101 selecting `protocol`, one the client offered (see parseSubprotocols):
 * a browser fails a handshake that selects one it did not offer, or none when
 * it offered some, and then never sees the close code.
 */
function upgraded(webSocket: WebSocket | null, protocol: string | null): Response {
  return new Response(null, {
    status: 101,
    webSocket,
    headers: protocol ? { 'Sec-WebSocket-Protocol': protocol } : {},
  });
}

/** The socket route handler. */
export async function roomSocket(c: Context<AppEnv>): Promise<Response> {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
    c.header('Upgrade', 'websocket');
    return jsonError(c, 426, 'upgrade_required', 'This endpoint speaks WebSocket only.');
  }
  const { level, token, protocol } = parseSubprotocols(c.req.header('Sec-WebSocket-Protocol') ?? null);
  const { range } = c.var.compat;
  const mismatch = level === null ? 'client_outdated' : checkLevel(level, range);
  if (mismatch) return refuse(protocol, CLOSE.versionMismatch, mismatch);
  // Read as every HTTP call reads its token: at the app's clock (its age decides), with the previous secret during a rotation.
  const secrets = tokenSecrets(c.env);
  const memberId = token && secrets ? ((await readToken(secrets, token, c.var.now()))?.memberId ?? null) : null;
  if (!memberId || !protocol) return refuse(protocol, CLOSE.unauthorized, 'unauthorized');
  const room = c.env.ROOM.get(c.env.ROOM.idFromName(c.req.param('studyId') ?? ''));
  const headers = new Headers(c.req.raw.headers);
  headers.set('X-Haru-Member', memberId);
  headers.set('X-Haru-Protocol', protocol);
  const res = await room.fetch(new Request(c.req.raw.url, { headers }));
  // A fresh response, so later middleware may add headers (the room's are immutable).
  return upgraded(res.webSocket, protocol);
}
