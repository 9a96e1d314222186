/**
 * The HTTP endpoints (docs/api.md) as typed functions, so pages never spell a
 * path or a method and the request and answer types come from shared/. Solo
 * study and records are v1; live group study is v2.
 */
import type {
  AdvanceBody,
  CreateMemberBody,
  CreateMemberResponse,
  CreateRoomBody,
  CreateStudyBody,
  JoinStudyBody,
  MyRecordsPage,
  ProgressView,
  RecordsQuery,
  RoomEntry,
  SavePlanBody,
  SaveRetrospectBody,
  StudyPage,
  StudyRecords,
} from '../../shared/api.ts';
import type { RoomState } from '../../shared/room.ts';
import type { Http } from './http.ts';

/** A member's place in a live room: their participant id and the room as it is. */
export interface RoomView {
  participantId: string;
  state: RoomState;
}

const V1 = '/api/v1';
const V2 = '/api/v2';
const send = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });
const seg = encodeURIComponent;

/** Binds the endpoints to one HTTP client. */
export function createApi(http: Http) {
  return {
    createMember: (body: CreateMemberBody) => http<CreateMemberResponse>(`${V1}/members`, send('POST', body)),
    createStudy: (body: CreateStudyBody) => http<StudyPage>(`${V1}/studies`, send('POST', body)),
    joinStudy: (body: JoinStudyBody) => http<StudyPage>(`${V1}/studies/join`, send('POST', body)),
    study: (studyId: string) => http<StudyPage>(`${V1}/studies/${seg(studyId)}`),
    savePlan: (progressId: string, body: SavePlanBody) =>
      http<ProgressView>(`${V1}/progress/${seg(progressId)}/plan`, send('PUT', body)),
    saveRetrospect: (progressId: string, body: SaveRetrospectBody) =>
      http<ProgressView>(`${V1}/progress/${seg(progressId)}/retrospect`, send('PUT', body)),
    advance: (progressId: string, body: AdvanceBody) =>
      http<ProgressView>(`${V1}/progress/${seg(progressId)}/advance`, send('POST', body)),
    /** Ends the learner's own solo study where it stands; what they wrote is kept. */
    endStudy: (progressId: string) => http<ProgressView>(`${V1}/progress/${seg(progressId)}/end`, send('POST', {})),
    studyRecords: (studyId: string) => http<StudyRecords>(`${V1}/studies/${seg(studyId)}/records`),
    /** Opens a live group study; the creator hosts it. */
    createRoom: (body: CreateRoomBody) => http<RoomView>(`${V2}/studies`, send('POST', body)),
    /** Joins a live group study by its code while it waits (or resumes one you are in). */
    joinRoom: (body: JoinStudyBody) => http<RoomEntry>(`${V2}/studies/join`, send('POST', body)),
    /** The live room as you see it; 404 when you are not in it. */
    room: (studyId: string) => http<RoomView>(`${V2}/studies/${seg(studyId)}`),
    myRecords: (query: RecordsQuery) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
      return http<MyRecordsPage>(`${V1}/me/records?${params}`);
    },
  };
}

/** The endpoints' type, for models that take them as a dependency. */
export type Api = ReturnType<typeof createApi>;
