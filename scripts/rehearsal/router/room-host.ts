/**
 * The rehearsal's room host (`npm run rehearse`; never deployed): one Durable
 * Object class that runs each room object on the code of the version the
 * deployment assigns it, as Cloudflare does during a gradual deployment.
 *
 * On Cloudflare each object is assigned a worker version by the deployment's
 * percentages independently of the worker version that calls it, and its
 * storage is the same whatever code runs it. Locally workerd runs one class
 * per namespace, so both versions' workers bind ROOM to this class (a
 * `script_name` binding) and the class carries both releases' `Room` code:
 * per object it starts the one the switchboard assigns, on the object's own
 * `ctx` (one storage), and forwards every call to it. A step that reassigns
 * the object restarts it on the other code and drops its sockets (4503), as
 * `--durable-objects-code-update-mode immediate` does.
 *
 * A per-run entry (versions.ts, `writeRoomHost`) imports both `Room` classes
 * and exports `roomHost({ old, new })` as `Room`.
 */
import { DurableObject } from 'cloudflare:workers';
import { CLOSE } from '../../../shared/room.ts';
import type { Side } from '../split.ts';
import type { Switchboard } from './index.ts';

/** A release's room class, as its worker entry exports it. */
export type RoomCode = new (ctx: DurableObjectState, env: never) => object;

/** What the host needs besides what the rooms need (the versions' bindings). */
interface HostEnv {
  SWITCHBOARD: DurableObjectNamespace<Switchboard>;
}

/** The handlers the platform calls by name rather than over RPC. */
const HANDLERS = ['fetch', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError'] as const;

/** A started room: the code's instance, called by method name. */
type Running = { side: Side; room: Record<string, unknown> };

/**
 * The host class for the room codes given (one side only when the other
 * release has no room class, as Release 1: its objects always run the other).
 * Its RPC methods are the union of both codes' methods; one the running code
 * lacks throws as the platform does.
 */
export function roomHost(codes: Partial<Record<Side, RoomCode>>) {
  const sides = (Object.keys(codes) as Side[]).filter((side) => codes[side]);
  if (sides.length === 0) throw new Error('the room host needs at least one room class');
  const skip = new Set<string>(['constructor', ...HANDLERS]);
  const methods = new Set(
    sides
      .flatMap((side) => Object.getOwnPropertyNames((codes[side] as RoomCode).prototype))
      .filter((name) => !skip.has(name)),
  );

  class Room extends DurableObject<HostEnv> {
    #running: Running | null = null;
    /** Calls wait for each other's start-up, so two events never start two instances. */
    #turn: Promise<unknown> = Promise.resolve();

    /** Calls `name` on the object's running code; one it lacks throws the platform's error. */
    static async forward(host: Room, name: string, args: unknown[]): Promise<unknown> {
      const room = await host.#room();
      const method = room[name];
      if (typeof method !== 'function')
        throw new TypeError(`The RPC receiver does not implement the method "${name}".`);
      return (method as (...a: unknown[]) => unknown).apply(room, args);
    }

    /** The instance for the side the deployment assigns this object now; restarted (sockets dropped) when that changed. */
    #room(): Promise<Record<string, unknown>> {
      const next = this.#turn.then(() => this.#assigned());
      this.#turn = next.catch(() => {});
      return next;
    }

    async #assigned(): Promise<Record<string, unknown>> {
      const switchboard = this.env.SWITCHBOARD.get(this.env.SWITCHBOARD.idFromName('switchboard'));
      // The worker names each room object by its study id (`idFromName`), which is what assignments hash.
      const wanted = await switchboard.objectSide(this.ctx.id.name ?? '');
      // Assigned nowhere (no deployed version has rooms) or to a release without the class: the code there is.
      const side = wanted && codes[wanted] ? wanted : (sides[0] as Side);
      if (this.#running?.side === side) return this.#running.room;
      if (this.#running) for (const ws of this.ctx.getWebSockets()) drop(ws);
      this.#running = { side, room: await start(codes[side] as RoomCode, this.ctx, this.env) };
      return this.#running.room;
    }

    override async fetch(request: Request): Promise<Response> {
      return (await Room.forward(this, 'fetch', [request])) as Response;
    }

    override async alarm(): Promise<void> {
      await Room.forward(this, 'alarm', []);
    }

    override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
      await Room.forward(this, 'webSocketMessage', [ws, data]);
    }

    override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
      await Room.forward(this, 'webSocketClose', [ws, code, reason, wasClean]);
    }

    override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
      await Room.forward(this, 'webSocketError', [ws, error]);
    }
  }
  // RPC exposes prototype methods only: one per method name either code has.
  for (const name of methods) {
    Object.defineProperty(Room.prototype, name, {
      value: function (this: Room, ...args: unknown[]) {
        return Room.forward(this, name, args);
      },
    });
  }
  return Room;
}

/** Closes a socket of a restarting object with 4503; one the router already closed may refuse, which is the same outcome. */
function drop(ws: WebSocket): void {
  try {
    ws.close(CLOSE.restart, 'the room moved to another version');
  } catch {
    // Already closing.
  }
}

/**
 * Starts a room code on the object's `ctx` and waits until what its
 * constructor loads with `blockConcurrencyWhile` is loaded: the platform
 * holds events back until then only for the object's own constructor, and
 * this one runs inside an event.
 */
async function start(code: RoomCode, ctx: DurableObjectState, env: unknown): Promise<Record<string, unknown>> {
  const loads: Promise<unknown>[] = [];
  const blockConcurrencyWhile = ctx.blockConcurrencyWhile;
  Object.defineProperty(ctx, 'blockConcurrencyWhile', {
    configurable: true,
    value: <T>(callback: () => Promise<T>) => {
      const load = blockConcurrencyWhile.call(ctx, callback);
      loads.push(load);
      return load;
    },
  });
  let room: Record<string, unknown>;
  try {
    room = new code(ctx, env as never) as Record<string, unknown>;
  } finally {
    delete (ctx as { blockConcurrencyWhile?: unknown }).blockConcurrencyWhile;
  }
  await Promise.all(loads);
  return room;
}
