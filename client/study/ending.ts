/**
 * Ending a solo study where it stands. A whole plan or retrospect the learner
 * filled in on this step but never saved is saved first (and if that fails,
 * nothing is ended), so ending keeps what they wrote; the step's drafts are
 * forgotten once the study is ended.
 */
import type { ProgressView } from '../../shared/api.ts';
import { clearDrafts, draftValues, formDrafts } from '../drafts/store.ts';
import { loadSchemas } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import type { ApiResult } from '../net/http.ts';
import { answered, draftPrefix, PLAN_FIELDS, RETROSPECT_FIELDS } from './fields.ts';

/** Saves the step's filled-in form (if whole), then ends the study; the server's answer to the end. */
export async function endSolo(
  api: Api,
  at: Pick<ProgressView, 'progressId' | 'step' | 'cycle'>,
): Promise<ApiResult<ProgressView>> {
  const prefix = draftPrefix(at, at.step);
  const { planSchema, retrospectSchema } = await loadSchemas();
  const { progressId, cycle } = at;
  if (at.step === 'planning') {
    const plan = planSchema.safeParse(answered(draftValues(formDrafts(prefix, PLAN_FIELDS))));
    const saved = plan.success && (await api.savePlan(progressId, { cycle, plan: plan.data }));
    if (saved && !saved.ok) return saved;
  } else if (at.step === 'retrospect') {
    const retrospect = retrospectSchema.safeParse(answered(draftValues(formDrafts(prefix, RETROSPECT_FIELDS))));
    const saved = retrospect.success && (await api.saveRetrospect(progressId, { cycle, retrospect: retrospect.data }));
    if (saved && !saved.ok) return saved;
  }
  const ended = await api.endStudy(progressId);
  if (ended.ok) clearDrafts(prefix);
  return ended;
}
