/**
 * What learners write, at API level 3: drafts reach the room so a host who
 * moves on anyway keeps them (marked as not submitted, and their writers are
 * told); a saved answer reaches every tab of its writer; and a learner may
 * share their plan with the room. Level-2 pages hear none of the new messages.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../shared/index.ts';
import type { Room } from '../../../worker/room/room.ts';
import { connect, outbox, roomOfTwo } from './socket.ts';

const PLAN: Plan = { toDo: 'read chapter 3', completionCondition: 'all exercises' };

/** Waits until the room holds `participantId`'s draft (a draft has no answer of its own). */
async function draftStored(stub: DurableObjectStub<Room>, participantId: string) {
  await expect
    .poll(() => runInDurableObject(stub, (_room: Room, state) => state.storage.get(`draft:${participantId}`)))
    .toBeTruthy();
}

describe('drafts', () => {
  it('are kept, marked unsubmitted, when the host moves on anyway, and their writer is told', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo({ level: 3 });
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    guestWs.send({ type: 'draft', cycle: 1, draft: { plan: { toDo: 'read chapter 3', completionCondition: '' } } });
    await draftStored(stub, guest.participantId);
    hostWs.send({ type: 'submit', id: 'h1', cycle: 1, plan: PLAN });
    await hostWs.next('ack');

    hostWs.send({ type: 'advance', from: { step: 'planning', cycle: 1 } });
    expect(await hostWs.next('error')).toMatchObject({ code: 'not_all_submitted', missing: [guest.participantId] });
    hostWs.send({ type: 'advance', from: { step: 'planning', cycle: 1 }, confirm: true });
    expect((await guestWs.next('event', (m) => m.event.kind === 'step')).event).toMatchObject({ step: 'studying' });
    expect(await guestWs.next('answer')).toEqual({
      type: 'answer',
      step: 'planning',
      cycle: 1,
      answer: { plan: { toDo: 'read chapter 3', completionCondition: '' } },
      submitted: false,
    });
    expect(await outbox(stub)).toContainEqual(
      expect.objectContaining({
        op: 'answer',
        participantId: guest.participantId,
        cycle: 1,
        answer: { plan: { toDo: 'read chapter 3', completionCondition: '' } },
        unsubmitted: true,
      }),
    );
    // Drafts are for one step: gone once the room moved on.
    expect(
      await runInDurableObject(stub, (_room: Room, state) => state.storage.get(`draft:${guest.participantId}`)),
    ).toBeUndefined();
  });

  it('keeps nothing from an empty draft or from one for a step the room is not in', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo({ level: 3 });
    // Still waiting: no step asks for a plan.
    guestWs.send({ type: 'draft', cycle: 1, draft: { plan: { toDo: 'too early' } } });
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    guestWs.send({ type: 'draft', cycle: 1, draft: { retrospect: { lesson: 'wrong step' } } });
    guestWs.send({ type: 'draft', cycle: 1, draft: { plan: { toDo: '   ' } } });
    await draftStored(stub, guest.participantId);
    hostWs.send({ type: 'advance', from: { step: 'planning', cycle: 1 }, confirm: true });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    const messages = await guestWs.drain();
    expect(messages.filter((m) => m.type === 'answer')).toEqual([]);
    expect((await outbox(stub)).filter((op) => (op as { op: string }).op === 'answer')).toEqual([]);
  });

  it('refuses a draft that is not one, and changes nothing', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo({ level: 3 });
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    guestWs.send(JSON.stringify({ type: 'draft', cycle: 1, draft: { plan: { toDo: 'x'.repeat(501) } } }));
    expect(await guestWs.next('error')).toMatchObject({ code: 'invalid_message' });
    guestWs.send(JSON.stringify({ type: 'draft', cycle: 1, draft: { plan: { mood: 'great' } } }));
    expect(await guestWs.next('error')).toMatchObject({ code: 'invalid_message' });
    expect(
      await runInDurableObject(stub, (_room: Room, state) => state.storage.get(`draft:${guest.participantId}`)),
    ).toBeUndefined();
  });
});

describe('own tabs', () => {
  it('hear what one of them saved; a new tab hears it after its snapshot; a level-2 tab hears nothing new', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo({ level: 3 });
    const second = await connect(stub, guest.memberId, 3);
    const old = await connect(stub, guest.memberId, 2);
    await Promise.all([second.drain(), old.drain()]);
    hostWs.send({ type: 'start' });
    await second.next('event', (m) => m.event.kind === 'step');
    guestWs.send({ type: 'submit', id: 'g1', cycle: 1, plan: PLAN });
    await guestWs.next('ack');
    const saved = { type: 'answer', step: 'planning', cycle: 1, answer: { plan: PLAN }, submitted: true };
    expect(await second.next('answer')).toEqual(saved);
    expect(await guestWs.next('answer')).toEqual(saved);
    expect((await second.drain()).filter((m) => m.type === 'ack')).toEqual([]);
    expect((await old.drain()).filter((m) => m.type === 'answer')).toEqual([]);

    const third = await connect(stub, guest.memberId, 3);
    await third.next('snapshot');
    expect(await third.next('answer')).toEqual(saved);
  });
});

describe('shared plans', () => {
  it('are off by default, go to level-3 pages once shared, ride on later submissions, and stop when unshared', async () => {
    const { stub, guest, host, hostWs, guestWs } = await roomOfTwo({ level: 3 });
    const old = await connect(stub, host.memberId, 2);
    await old.drain();
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    guestWs.send({ type: 'submit', id: 'g1', cycle: 1, plan: PLAN });
    const plain = await hostWs.next('event', (m) => m.event.kind === 'submitted');
    expect(plain.event).toEqual({ kind: 'submitted', participantId: guest.participantId, cycle: 1, step: 'planning' });

    guestWs.send({ type: 'share', on: true });
    expect(await hostWs.next('shared')).toEqual({
      type: 'shared',
      participantId: guest.participantId,
      sharing: true,
      plan: PLAN,
    });
    hostWs.send({ type: 'sync' });
    const seen = (await hostWs.next('snapshot')).state.participants.find((p) => p.id === guest.participantId);
    expect(seen).toMatchObject({ sharing: true, plan: PLAN });
    const better = { ...PLAN, toDo: 'read chapters 3 and 4' };
    guestWs.send({ type: 'submit', id: 'g2', cycle: 1, plan: better });
    expect((await hostWs.next('event', (m) => m.event.kind === 'submitted')).event).toMatchObject({ plan: better });

    guestWs.send({ type: 'share', on: false });
    expect(await hostWs.next('shared')).toMatchObject({ sharing: false, plan: null });
    hostWs.send({ type: 'sync' });
    const after = (await hostWs.next('snapshot')).state.participants.find((p) => p.id === guest.participantId);
    expect(after?.sharing).toBeUndefined();
    expect(after?.plan).toBeUndefined();
    expect((await old.drain()).filter((m) => m.type === 'shared')).toEqual([]);
  });
});
