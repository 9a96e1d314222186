/**
 * The v1 endpoints (docs/api.md) as typed functions, so pages never spell a
 * path or a method and the request and answer types come from shared/api.ts.
 */
import type {
  AdvanceBody,
  CreateMemberBody,
  CreateMemberResponse,
  CreateStudyBody,
  MyRecordsPage,
  ProgressView,
  RecordsQuery,
  SavePlanBody,
  SaveRetrospectBody,
  StudyPage,
  StudyRecords,
} from '../../shared/api.ts';
import type { Http } from './http.ts';

const V1 = '/api/v1';
const send = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });
const seg = encodeURIComponent;

/** Binds the endpoints to one HTTP client. */
export function createApi(http: Http) {
  return {
    createMember: (body: CreateMemberBody) => http<CreateMemberResponse>(`${V1}/members`, send('POST', body)),
    createStudy: (body: CreateStudyBody) => http<StudyPage>(`${V1}/studies`, send('POST', body)),
    study: (studyId: string) => http<StudyPage>(`${V1}/studies/${seg(studyId)}`),
    savePlan: (progressId: string, body: SavePlanBody) =>
      http<ProgressView>(`${V1}/progress/${seg(progressId)}/plan`, send('PUT', body)),
    saveRetrospect: (progressId: string, body: SaveRetrospectBody) =>
      http<ProgressView>(`${V1}/progress/${seg(progressId)}/retrospect`, send('PUT', body)),
    advance: (progressId: string, body: AdvanceBody) =>
      http<ProgressView>(`${V1}/progress/${seg(progressId)}/advance`, send('POST', body)),
    studyRecords: (studyId: string) => http<StudyRecords>(`${V1}/studies/${seg(studyId)}/records`),
    myRecords: (query: RecordsQuery) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
      return http<MyRecordsPage>(`${V1}/me/records?${params}`);
    },
  };
}

/** The endpoints' type, for models that take them as a dependency. */
export type Api = ReturnType<typeof createApi>;
