/**
 * The client's identity store on its own (no page needed): a renewed token
 * the server hands back replaces the stored one for the same learner only,
 * and a refused token sends the learner back to the nickname step, saying why.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createIdentity } from '../../client/identity/store.ts';

const KEY = 'haru.identity';
const HANA = {
  member: { id: '11111111-1111-4111-8111-111111111111', nickname: 'hana' },
  token: '11111111-1111-4111-8111-111111111111.1.old',
};

/** A storage like localStorage, over a map the test can read. */
function storage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

describe('identity store', () => {
  test('keeps a renewed token for the same learner, in memory and in storage', () => {
    const store = storage({ [KEY]: JSON.stringify(HANA) });
    const identity = createIdentity(store);
    const fresh = `${HANA.member.id}.2.new`;
    identity.renew(fresh);
    assert.deepEqual(identity.current.value, { ...HANA, token: fresh });
    assert.deepEqual(JSON.parse(store.map.get(KEY) ?? 'null'), { ...HANA, token: fresh });
    // A new page (a reload, another tab) starts from the renewed token.
    assert.equal(createIdentity(store).current.value?.token, fresh);
  });

  test('ignores a renewed token for another member, or when nobody is signed in', () => {
    const store = storage({ [KEY]: JSON.stringify(HANA) });
    const identity = createIdentity(store);
    identity.renew('22222222-2222-4222-8222-222222222222.2.other');
    assert.equal(identity.current.value?.token, HANA.token);
    identity.expire();
    identity.renew(`${HANA.member.id}.3.late`);
    assert.equal(identity.current.value, null);
    assert.equal(store.map.has(KEY), false);
  });

  test('a refused token (an expired one) leads back to the nickname step, which says why, and leaves drafts alone', () => {
    const store = storage({
      [KEY]: JSON.stringify(HANA),
      'haru.draft.nickname': 'hana',
      'haru.draft.plan.toDo': 'chapter 3',
    });
    const identity = createIdentity(store);
    identity.expire();
    assert.equal(identity.current.value, null);
    assert.equal(identity.expired.value, true);
    assert.deepEqual([...store.map.keys()].sort(), ['haru.draft.nickname', 'haru.draft.plan.toDo']);
  });
});
