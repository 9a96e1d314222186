/**
 * The room's callable surface, checked against the previous release's room by
 * the type checker (`npm run typecheck`, part of `npm test`; README, "The
 * worker-room contract"). During a gradual deployment either release's worker
 * calls either release's rooms (DESIGN §7), so:
 *
 * - **Only extended, never narrowed.** Every call the previous room answers,
 *   this room answers too, taking what the previous worker sends and
 *   answering what it reads (previous worker x this room).
 * - **New calls ship dark one release ahead.** Every call this worker makes
 *   the previous room answers the same way, unless it is listed in
 *   `CALLS_TOLERATING_ABSENCE`: called only inside a try/catch that answers
 *   without it (this worker x previous room). Otherwise add the method to the
 *   room in one release and call it from the worker in the next.
 * - **Refusal codes are open.** A failure answer (`ok: false`) may gain codes;
 *   each worker maps a code it does not know to a refusal (worker/group/rooms.ts,
 *   `join_refused`; test/worker/contract/rooms.test.ts), so codes are compared
 *   as strings here.
 *
 * A check that fails names the method. The `@ts-expect-error` lines at the end
 * prove each rule bites: should one stop failing, the type checker says so.
 */

import type { DurableObject } from 'cloudflare:workers';
import type { Room as PreviousRoom } from '@haru/previous-release/room/room.ts';
import type { Room } from '../../../worker/room/room.ts';

/** Calls this worker makes knowing an older room may lack them (worker/ops/outboxes.ts: `unanswered`). */
type CALLS_TOLERATING_ABSENCE = 'outboxStatus';

/** Public fields tests replace (the clock, the D1 writer): not calls any worker makes. */
type TestHooks = 'now' | 'persist';

/** Names of T's members that are functions (a `never` brand is not one). */
type FunctionKeys<T> = {
  [K in keyof T]-?: [T[K]] extends [never] ? never : T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T];

/**
 * What a worker can call on a room: its RPC methods and `fetch` (the socket
 * upgrade). The runtime's own handlers (alarm, webSocket*) are not the worker's.
 */
export type CallableSurface<R> = Pick<R, Exclude<FunctionKeys<R>, Exclude<keyof DurableObject, 'fetch'> | TestHooks>>;

/** A failure answer with its code widened to any string: codes are open (see above). */
type OpenCodes<T> = T extends { ok: false; code: string } ? Omit<T, 'code'> & { code: string } : T;

/** A call as the other side sees it: same arguments, its answer with open codes. */
type AsCalled<F> = F extends (...args: infer A) => infer R ? (...args: A) => OpenCodes<Awaited<R>> : never;

/** Calls of `Old` that `New` lacks or answers in a way a caller of `Old` cannot use; never when none. */
export type NarrowedCalls<Old, New> = {
  [K in keyof Old]: K extends keyof New ? (AsCalled<New[K]> extends AsCalled<Old[K]> ? never : K) : K;
}[keyof Old];

/** Calls a worker typed against `Mine` makes that `Older` cannot serve, less those it tolerates missing; never when none. */
export type UnservedCalls<Mine, Older, Tolerated extends PropertyKey> = {
  [K in keyof Mine]: K extends keyof Older
    ? AsCalled<Older[K]> extends AsCalled<Mine[K]>
      ? never
      : K
    : K extends Tolerated
      ? never
      : K;
}[keyof Mine];

/** Compiles only when T is never: a failure shows the offending call's name. */
type ExpectNone<T extends never> = T;

type Surface = CallableSurface<Room>;
type PreviousSurface = CallableSurface<PreviousRoom>;

/** The previous release's worker can use this room: nothing it calls was narrowed or removed. */
export type PreviousWorkerOnThisRoom = ExpectNone<NarrowedCalls<PreviousSurface, Surface>>;
/** This worker can use the previous release's room: every call is answered there, or tolerated missing. */
export type ThisWorkerOnPreviousRoom = ExpectNone<UnservedCalls<Surface, PreviousSurface, CALLS_TOLERATING_ABSENCE>>;

// Proof that the rules bite, on made-up changes to this room:
/** A room that drops a call. */
// @ts-expect-error `view` is gone: the previous worker's study page would answer 500
export type ProofDropped = ExpectNone<NarrowedCalls<PreviousSurface, Omit<Surface, 'view'>>>;
/** A room whose `view` wants a second argument the previous worker never sends. */
type ViewWantingMore = Omit<Surface, 'view'> & { view(memberId: string, at: number): ReturnType<Surface['view']> };
/** A room whose join answer no longer says `participantId`. */
type JoinSayingLess = Omit<Surface, 'join'> & {
  join(...args: Parameters<Surface['join']>): Promise<{ ok: true; resumed: boolean } | { ok: false; code: string }>;
};
/** A worker that calls `kick`, which the previous room does not have. */
type CallingKick = Surface & { kick(memberId: string): Promise<void> };
/** A room whose call wants more than the previous worker sends. */
// @ts-expect-error `view` wants a second argument the previous worker never sends
export type ProofNarrowedArguments = ExpectNone<NarrowedCalls<PreviousSurface, ViewWantingMore>>;
/** A room whose answer lacks what the previous worker reads. */
// @ts-expect-error a join that no longer says `participantId`
export type ProofNarrowedAnswer = ExpectNone<NarrowedCalls<PreviousSurface, JoinSayingLess>>;
/** A worker calling a new method on rooms that do not have it yet, without tolerating its absence. */
// @ts-expect-error `kick` must ship dark in the room a release ahead
export type ProofCalledAhead = ExpectNone<UnservedCalls<CallingKick, PreviousSurface, CALLS_TOLERATING_ABSENCE>>;
