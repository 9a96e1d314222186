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
import type { Submission } from '../../shared/room.ts';

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
      ? (value as Sent[]).filter(
          (s) =>
            typeof s?.id === 'string' && typeof s.cycle === 'number' && (s.kind === 'plan' || s.kind === 'retrospect'),
        )
      : [];
  } catch {
    return [];
  }
}

/** The message that sends `entry` to the room. */
function messageOf(entry: Sent): Submission {
  return entry.kind === 'plan'
    ? { type: 'submit', id: entry.id, cycle: entry.cycle, plan: entry.answer }
    : { type: 'retro', id: entry.id, cycle: entry.cycle, retrospect: entry.answer };
}

/** The entry that keeps `message` (the storage format outlives releases: a reload mid-rollout must still find it). */
function entryOf(message: Submission): Sent {
  return message.type === 'submit'
    ? { id: message.id, cycle: message.cycle, acked: false, kind: 'plan', answer: message.plan }
    : { id: message.id, cycle: message.cycle, acked: false, kind: 'retrospect', answer: message.retrospect };
}

/**
 * The outbox of one participant, kept in `storage` (localStorage: it must
 * outlive the tab). The room client sees the pending submissions; the page
 * also reads the acknowledged ones of the cycle.
 */
export function createOutbox(
  participantId: string,
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = localStorage,
) {
  const key = keyOf(participantId);
  const entries = signal<Sent[]>(read(storage, key));
  const save = (next: Sent[]) => {
    entries.value = next;
    if (next.length > 0) storage.setItem(key, JSON.stringify(next));
    else storage.removeItem(key);
  };
  return {
    entries,
    put(message: Submission): void {
      const sent = entryOf(message);
      save([...entries.value.filter((s) => !(s.kind === sent.kind && s.cycle === sent.cycle)), sent]);
    },
    ack(id: string): boolean {
      if (!entries.value.some((s) => s.id === id && !s.acked)) return false;
      // Kept, marked acknowledged: the studying and retrospect steps show it.
      save(entries.value.map((s) => (s.id === id ? { ...s, acked: true } : s)));
      return true;
    },
    drop(id: string): void {
      save(entries.value.filter((s) => s.id !== id));
    },
    /** The submission of `kind` for `cycle`, sent or not. */
    find(kind: Sent['kind'], cycle: number): Sent | undefined {
      return entries.value.find((s) => s.kind === kind && s.cycle === cycle);
    },
    pending(): Submission[] {
      return entries.value.filter((s) => !s.acked).map(messageOf);
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
