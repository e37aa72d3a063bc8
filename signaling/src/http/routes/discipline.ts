import type { Express } from 'express';
import { PeopleAnswer, PeopleQuery, PersonCodeParams, PersonDetail } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { PEOPLE_SEARCHES, PERSON_VIEWS } from '../people-limits.js';
import { mount } from '../route.js';

/** 受处分人员信息查询: the query and a person's page (both audited in the service). */
export function disciplineRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/discipline/people', {
    query: PeopleQuery,
    response: PeopleAnswer,
    rateLimit: PEOPLE_SEARCHES,
    handler: ({ principal, query }) => app.discipline.search(principal, query),
  });

  mount(express, app, 'GET /api/discipline/people/:code', {
    params: PersonCodeParams,
    response: PersonDetail,
    rateLimit: PERSON_VIEWS,
    handler: async ({ principal, params }) => {
      const view = await app.discipline.person(principal, params.code);
      app.log.info('person page viewed', { by: principal.sub, records: view.records.length });
      return view;
    },
  });
}
