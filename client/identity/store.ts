/**
 * Who the learner is: a guest member and its signed token, kept in
 * localStorage so a reload or a new tab stays the same learner.
 */
import { signal } from '@preact/signals';
import type { CreateMemberResponse } from '../../shared/api.ts';

/** A guest learner as the client keeps it. */
export type Identity = CreateMemberResponse;

const KEY = 'haru.identity';

function read(storage: Pick<Storage, 'getItem'>): Identity | null {
  try {
    const value = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<Identity> | null;
    return typeof value?.token === 'string' &&
      typeof value.member?.id === 'string' &&
      typeof value.member.nickname === 'string'
      ? (value as Identity)
      : null;
  } catch {
    return null;
  }
}

/** The identity store; one per page. */
export function createIdentity(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {
  /** The learner, or null until they pick a nickname. */
  const current = signal<Identity | null>(read(storage));
  /** True after the server refused the stored token, so the nickname step can say why it is back. */
  const expired = signal(false);
  return {
    current,
    expired,
    /** Keeps the identity the server just issued. */
    save(identity: Identity) {
      storage.setItem(KEY, JSON.stringify(identity));
      expired.value = false;
      current.value = identity;
    },
    /**
     * Keeps a fresh token the server handed back for this same learner (a day
     * old, or signed before a secret rotation), so one who keeps using the app
     * is never signed out. A token for another member (an answer to a call
     * made before the learner signed up again) is ignored.
     */
    renew(token: string) {
      const me = current.peek();
      if (me && token.startsWith(`${me.member.id}.`)) this.save({ ...me, token });
    },
    /** Drops a token the server no longer accepts (a 401: expired, or the learner is gone); the learner picks a nickname again. */
    expire() {
      storage.removeItem(KEY);
      if (current.value) expired.value = true;
      current.value = null;
    },
  };
}

/** The identity store's public face. */
export type IdentityStore = ReturnType<typeof createIdentity>;
