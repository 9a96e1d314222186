/**
 * Release 1 as a migration test drives it: its real routes and queries as released (v1App({ release: '1.0.0' }), code from git)
 * through `createApp(...).request` (test/worker/v1/client.ts), one learner
 * at a time.
 */
import type { MyRecordsPage, ProgressView, Step, StudyPage, StudyRecords } from '../../../shared/index.ts';
import { createStudy, ok, PLAN, RETRO, signUp, type V1App } from '../v1/client.ts';

/** Signs a learner up and returns what Release 1 lets them do. */
export async function release1Learner(api: V1App, nickname: string) {
  const { member, token } = await signUp(api, nickname);
  const call = (method: string, path: string, body?: unknown) => api.call(method, path, body, token);
  return {
    member,
    token,
    /** A study of 1 cycle of 25 minutes unless `body` says otherwise; solo unless `mode: 'group'`. */
    create: (body: Record<string, unknown> = {}) => createStudy(api, token, body),
    page: (studyId: string) => ok<StudyPage>(call('GET', `/studies/${studyId}`)),
    join: (code: string, name = nickname) =>
      ok<StudyPage>(call('POST', '/studies/join', { code, nickname: name }), 201),
    plan: (progressId: string, cycle = 1, plan = PLAN) =>
      ok<ProgressView>(call('PUT', `/progress/${progressId}/plan`, { cycle, plan })),
    retro: (progressId: string, cycle = 1, retrospect = RETRO) =>
      ok<ProgressView>(call('PUT', `/progress/${progressId}/retrospect`, { cycle, retrospect })),
    advance: (progressId: string, step: Step, cycle = 1) =>
      ok<ProgressView>(call('POST', `/progress/${progressId}/advance`, { from: { step, cycle } })),
    records: (studyId: string) => ok<StudyRecords>(call('GET', `/studies/${studyId}/records`)),
    myRecords: () => ok<MyRecordsPage>(call('GET', '/me/records')),
  };
}

/** A learner as Release 1 drives them. */
export type Release1Learner = Awaited<ReturnType<typeof release1Learner>>;

/** Every answer on a Release 1 record page, one per participant and cycle, in a stable order. */
export function answersOf(records: StudyRecords) {
  return records.participants
    .flatMap((p) => p.cycles.map((c) => ({ participantId: p.progressId, ...c })))
    .sort((a, b) => a.participantId.localeCompare(b.participantId) || a.cycle - b.cycle);
}
