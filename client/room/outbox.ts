/**
 * Submissions on their way to the room. A plan or retrospect goes in here
 * before it is sent and stays until the room acknowledges it (`ack {id}`,
 * sent only once the answer is durable), so a drop, a reload or a crash
 * between the two re-sends it on the next connection. After the ack the entry
 * stays for the rest of the cycle as what this learner submitted, so the
 * studying and retrospect steps can show their own plan.
 */
import { signal } from '@preact/signals';
import type { Plan, Retrospect } from '../../shared/api.ts';
import type { ClientMessage } from '../../shared/room.ts';

/** One submission and where it stands. */
export type Sent = { id: string; cycle: number; acked: boolean } & (
  | { kind: 'plan'; answer: Plan }
  | { kind: 'retrospect'; answer: Retrospect }
);

/** Storage key of one participant's outbox. */
const keyOf = (participantId: string) => `haru.room.${participantId}`;

function read(storage: Pick<Storage, 'getItem'>, key: string): Sent[] {
  try {
    const value = JSON.parse(storage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(value)
      ? (value as Sent[]).filter((s) => typeof s?.id === 'string' && typeof s.cycle === 'number' && (s.kind === 'plan' || s.kind === 'retrospect'))
      : [];
  } catch {
    return [];
  }
}

/** The message that sends `entry` to the room. */
export function messageOf(entry: Sent): ClientMessage {
  return entry.kind === 'plan'
    ? { type: 'submit', id: entry.id, cycle: entry.cycle, plan: entry.answer }
    : { type: 'retro', id: entry.id, cycle: entry.cycle, retrospect: entry.answer };
}

/** The outbox of one participant, kept in `storage` (localStorage: it must outlive the tab). */
export function createOutbox(participantId: string, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = localStorage) {
  const key = keyOf(participantId);
  const entries = signal<Sent[]>(read(storage, key));
  const save = (next: Sent[]) => {
    entries.value = next;
    if (next.length > 0) storage.setItem(key, JSON.stringify(next));
    else storage.removeItem(key);
  };
  return {
    entries,
    /** Records a new submission (replacing an earlier one for the same answer); send it next. */
    put(entry: Omit<Sent, 'id' | 'acked'>): Sent {
      const sent = { ...entry, id: crypto.randomUUID(), acked: false } as Sent;
      save([...entries.value.filter((s) => !(s.kind === entry.kind && s.cycle === entry.cycle)), sent]);
      return sent;
    },
    /** The room has it for good. An unknown id (an older copy, another tab) changes nothing. */
    ack(id: string): boolean {
      if (!entries.value.some((s) => s.id === id && !s.acked)) return false;
      save(entries.value.map((s) => (s.id === id ? { ...s, acked: true } : s)));
      return true;
    },
    /** The submission of `kind` for `cycle`, sent or not. */
    find(kind: Sent['kind'], cycle: number): Sent | undefined {
      return entries.value.find((s) => s.kind === kind && s.cycle === cycle);
    },
    /** Submissions the room has not acknowledged yet. */
    pending(): Sent[] {
      return entries.value.filter((s) => !s.acked);
    },
    /** Drops entries `keep` says no. */
    retain(keep: (entry: Sent) => boolean): void {
      const next = entries.value.filter(keep);
      if (next.length !== entries.value.length) save(next);
    },
  };
}

/** A participant's outbox. */
export type Outbox = ReturnType<typeof createOutbox>;
