/**
 * The learner's choice to share their plan with the room: off unless they
 * turn it on, and the page says so and who sees it. A shared plan shows
 * beside its writer's status in everyone's participant list.
 */
import { messages } from '../i18n/locale.ts';
import type { RoomModelInstance } from './model.ts';

/** A labelled switch, with the line that says it is off by default and who sees the plan. */
export function SharePlan({ model }: { model: RoomModelInstance }) {
  const t = messages();
  if (!model.self.value) return null;
  return (
    <div class="share-plan" data-testid="share-plan">
      <label class="switch">
        <input
          type="checkbox"
          checked={model.sharing.value}
          onChange={(event) => model.share(event.currentTarget.checked)}
          aria-describedby="share-plan-hint"
          data-testid="share-toggle"
        />
        {t.sharePlan}
      </label>
      <p class="hint" id="share-plan-hint" data-testid="share-plan-hint">
        {t.sharePlanHint}
      </p>
    </div>
  );
}
