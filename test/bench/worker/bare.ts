/**
 * The floor rooms of the bench (issue 14): Durable Objects on the
 * hibernation API that do nothing but what every live room must.
 *
 * - `BareRoom`: accepts the socket (`ctx.acceptWebSocket`) and sends each
 *   message to every socket of the object (`ctx.getWebSockets()`), the
 *   sender included. Nothing else: no parsing, no state, no ack.
 * - `BareStoreRoom`: the same, but first stores each message in the
 *   object's SQLite (`ctx.storage.sql`, one row per message). The runtime's
 *   output gate holds the sends until that write is durable, so the
 *   broadcast (which the sender also receives, in place of an ack) goes out
 *   only once the message is stored: the floor with durability.
 *
 * Both count the closes they have handled (in memory) and answer
 * `GET .../count` with `{ open, closesHandled }`, so the bench can tell when
 * every close of a drop-all storm has reached the room. A close is answered
 * with a close frame, as the Haru room does.
 */
import { DurableObject } from 'cloudflare:workers';

/** Broadcast-only room on the hibernation API. */
export class BareRoom<E = unknown> extends DurableObject<E> {
  /** Closes (and errors) handled since the object started. */
  private closesHandled = 0;

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket') {
      return Response.json({ open: this.ctx.getWebSockets().length, closesHandled: this.closesHandled });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** What happens to a message before it is broadcast (nothing, here). */
  protected keep(_message: string | ArrayBuffer): void {}

  override webSocketMessage(_ws: WebSocket, message: string | ArrayBuffer): void {
    this.keep(message);
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(message);
      } catch {
        // closing meanwhile
      }
    }
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
    } catch {
      // already closed
    }
    this.closesHandled += 1;
  }

  override webSocketError(): void {
    this.closesHandled += 1;
  }
}

/** Broadcast-only room that stores each message (one SQLite row) before the broadcast. */
export class BareStoreRoom<E = unknown> extends BareRoom<E> {
  constructor(ctx: DurableObjectState, env: E) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)');
  }

  protected override keep(message: string | ArrayBuffer): void {
    const body = typeof message === 'string' ? message : new TextDecoder().decode(message);
    this.ctx.storage.sql.exec('INSERT INTO messages (body) VALUES (?)', body);
  }
}
