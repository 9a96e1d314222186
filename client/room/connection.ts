/**
 * The page's line to a room: the shared headless client over the browser's
 * WebSocket, told when the device goes offline or comes back, and the
 * version facts a 4409 close cannot carry.
 */
import { COMPAT, subprotocolFor, TOKEN_SUBPROTOCOL } from '../../shared/compat.ts';
import { createRoomClient, type Outbox, type RoomClient, roomSocketPath } from '../../shared/room-client.ts';
import { type CompatError, versionInfoSchema } from '../../shared/schemas.ts';
import { buildInfo } from '../build-info.ts';
import { versionKey } from '../net/http.ts';

/** What the line needs from the page. */
export interface LineOptions {
  studyId: string;
  /** The learner's guest token, offered as a subprotocol (browsers cannot set socket headers). */
  token: () => string | null;
  outbox: () => Outbox | null;
}

/** A room client for this page; call `connect()` on it. `dispose()` closes it and lets go of the window's events. */
export function openLine(options: LineOptions): RoomClient & { dispose(): void } {
  const client = createRoomClient({
    open: (since) => {
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const url = `${scheme}//${location.host}${roomSocketPath(options.studyId, { build: buildInfo.id, since })}`;
      return new WebSocket(url, [subprotocolFor(buildInfo.apiLevel), `${TOKEN_SUBPROTOCOL}${options.token() ?? ''}`]);
    },
    outbox: options.outbox,
    isOnline: () => navigator.onLine,
  });
  const online = () => client.online();
  const offline = () => client.offline();
  // A page going away (closed, reloaded, navigated off) closes its socket cleanly,
  // so the room learns at once that the learner went away instead of when the
  // line times out. It is not a `leave`: a reload comes back within the host's
  // grace period and keeps the role. A page kept in the back/forward cache keeps its line.
  const hide = (event: PageTransitionEvent) => {
    if (!event.persisted) client.close('page hidden');
  };
  addEventListener('online', online);
  addEventListener('offline', offline);
  addEventListener('pagehide', hide);
  return Object.assign(client, {
    dispose(): void {
      removeEventListener('online', online);
      removeEventListener('offline', offline);
      removeEventListener('pagehide', hide);
      client.close();
    },
  });
}

/**
 * The mismatch behind a socket's 4409, with the version and range of what
 * this learner's version key now reaches (a close reason carries only which
 * way the mismatch goes). Asked past the API client on purpose: an accepted
 * answer there would lift the reload-loop guard before the mismatch is
 * reported. Null when the server cannot be asked; the next version check
 * reports it then.
 */
export async function socketMismatch(reason: string): Promise<CompatError | null> {
  try {
    const res = await fetch('/api/version', { headers: { [COMPAT.versionKeyHeader]: versionKey() } });
    const info = versionInfoSchema.safeParse(await res.json());
    if (!info.success) return null;
    const error = reason === 'client_too_new' ? 'client_too_new' : 'client_outdated';
    return { error, message: reason, serverVersion: info.data.version, apiRange: info.data.apiRange };
  } catch {
    return null;
  }
}
