/**
 * Room test helpers: open a room through its RPC, connect real WebSockets to
 * it, and read what arrives in order.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import type { ClientMessage, ServerMessage } from '../../../shared/index.ts';
import type { Room } from '../../../worker/room/room.ts';

/** A connected test socket with an ordered inbox. */
export class TestSocket {
  readonly inbox: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.accept();
    ws.addEventListener('message', (event) => {
      this.inbox.push(JSON.parse(String(event.data)) as ServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })));
  }

  send(message: ClientMessage | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message matching `match` (removed from the inbox), waiting up to 2 s. */
  async next<T extends ServerMessage['type']>(type: T, match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true) {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type && match(m as Extract<ServerMessage, { type: T }>));
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Extract<ServerMessage, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no ${type} message; inbox: ${JSON.stringify(this.inbox)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Lets in-flight messages arrive, then returns and clears everything received. */
  async drain(): Promise<ServerMessage[]> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return this.inbox.splice(0);
  }
}

/** A fresh room for a new group study, hosted by member `host-<n>`. */
export async function openRoom(options: { totalCycles?: number; minutesPerCycle?: number } = {}) {
  const studyId = crypto.randomUUID();
  const stub = env.ROOM.get(env.ROOM.idFromName(studyId));
  const host = { id: crypto.randomUUID(), memberId: crypto.randomUUID(), nickname: 'host' };
  const state = await stub.open({
    studyId,
    name: 'math',
    totalCycles: options.totalCycles ?? 1,
    minutesPerCycle: options.minutesPerCycle ?? 25,
    code: 'ABCDEF',
    host,
  });
  return { stub, studyId, host, state };
}

/** Connects `memberId` to the room as the worker would after checking the token. */
export async function connect(stub: DurableObjectStub<Room>, memberId: string): Promise<TestSocket> {
  const res = await stub.fetch('https://room/socket', {
    headers: { Upgrade: 'websocket', 'X-Haru-Member': memberId, 'X-Haru-Protocol': 'haru.2' },
  });
  if (!res.webSocket) throw new Error(`no socket: ${res.status}`);
  return new TestSocket(res.webSocket);
}

/** Sets the room's clock. */
export function setClock(stub: DurableObjectStub<Room>, time: number): Promise<void> {
  return runInDurableObject(stub, (room: Room) => {
    room.now = () => time;
  });
}
