import { errorFields, type CaseTransitionBody } from '@vj/shared';
import type { z } from 'zod';
import type { AppContext } from '../context.js';
import type { Claims } from '../security/jwt.js';

/**
 * A case action from either side (the county's route and the township's), with what follows it: the log line,
 * and the overdue alerts refreshed at once, so a case that closed or moved on leaves them now, not at the next
 * sweep. A failed refresh is logged; the sweep repairs it.
 */
export async function actOnCase(
  app: Pick<AppContext, 'cases' | 'deadlines' | 'log'>,
  principal: Claims,
  id: string,
  body: z.output<typeof CaseTransitionBody>,
) {
  const view = await app.cases.transition(principal, id, body);
  app.log.info('case action', { petitionId: id, action: body.action, by: principal.sub, status: view.status });
  void app.deadlines
    .refreshEverywhere()
    .catch((err) => app.log.warn('overdue alerts not refreshed after a case action; the next sweep will', errorFields(err)));
  return view;
}
