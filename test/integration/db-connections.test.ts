import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type Db } from '@vj/signaling';
import { namesLeadership } from '../../signaling/src/cases/leader-named.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { createTestDatabase } from '../helpers/services.js';

// Intake's one statement in flight goes to a connection of its own, prepared, so the server keeps its plan
// (db.ts, `ownConnection`). Prepared statements live in a database session: these check that a connection which
// is dropped and made again still runs them, on both databases.

const pidSql = 'SELECT pg_backend_pid() AS pid';

for (const backend of backends) {
  describe(`prepared statements: their connections and plans (${backend.name})`, () => {
    let db: Db;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ db, cleanup } = await migrated(backend));
    });
    afterAll(async () => {
      await cleanup?.();
    });

    const ownPid = async () => (await db.query<{ pid: number }>(pidSql, [], { prepare: 'test_own_pid', ownConnection: true })).rows[0]!.pid;

    it('statements for the own connection all go to one connection, whatever the pool is doing', async () => {
      const pids = await Promise.all([
        ...Array.from({ length: 8 }, () => ownPid()),
        // The pool's connections busy at the same time.
        ...Array.from({ length: 8 }, () => db.query('SELECT pg_sleep(0.05)')),
      ]);
      const own = new Set(pids.slice(0, 8));
      expect(own.size).toBe(1);
      if (db.kind === 'postgres') {
        const pooled = await Promise.all(Array.from({ length: 4 }, () => db.query<{ pid: number }>(`${pidSql}, pg_sleep(0.05)`)));
        expect(pooled.map((r) => r.rows[0]!.pid)).not.toContain([...own][0]);
      }
    });

    it('a prepared statement runs again after its connection was dropped and made anew', async () => {
      await db.query('SELECT 2 AS two', [], { prepare: 'test_again' });
      if (db.kind === 'postgres') {
        // The server drops the own connection (a restart, an administrator's pg_terminate_backend).
        const before = await ownPid();
        await db.query('SELECT pg_terminate_backend($1)', [before]);
        let after: number | undefined;
        // The pool learns of the drop when the connection reports it; a statement sent before that fails (503).
        for (let i = 0; i < 50 && after === undefined; i++) after = await ownPid().catch(() => new Promise<undefined>((r) => setTimeout(r, 20)));
        expect(after).toBeDefined();
        expect(after).not.toBe(before);
      } else {
        // PGlite: the connection is dropped as after a failure, but the engine (the one session) stays, with the
        // prepared statements of the old connection in it.
        const pool = (db as unknown as { pool: pg.Pool }).pool;
        const client = await pool.connect();
        client.release(new Error('dropped for the test'));
      }
      const r = await db.query<{ two: number }>('SELECT 2 AS two', [], { prepare: 'test_again' });
      expect(r.rows).toEqual([{ two: 2 }]);
      expect(await ownPid()).toBeGreaterThan(0);
    });

    // PostgreSQL only: PGlite has one connection, and no pool kept for prepared statements.
    if (backend.name.startsWith('PostgreSQL')) {
      // How the server planned each run of a prepared statement, read on the connection that ran it (the pool hands
      // the most recently returned connection out first, and these run one after another).
      const plansOf = async (name: string) =>
        (
          await db.query<{ generic: string; custom: string }>(
            'SELECT generic_plans AS generic, custom_plans AS custom FROM pg_prepared_statements WHERE name = $1',
            [name],
            { prepare: 'test_plans_of' },
          )
        ).rows[0];

      it("intake's leadership check keeps one generic plan instead of planning every run", async () => {
        // Left to itself the server plans a statement over unnest() of its array parameters on every run: the
        // generic plan, assuming 100 rows an array, always looks dearer than a plan for the 1-3 given.
        for (let i = 0; i < 12; i++) await namesLeadership(db, [{ name: `李某${i}`, unit: '某村委会', position: '村主任', officialCode: null }]);
        const plans = await plansOf('names_leadership');
        expect(plans).toBeDefined();
        expect(Number(plans!.custom)).toBe(0);
        expect(Number(plans!.generic)).toBeGreaterThanOrEqual(12);
      });

      it('the setting holds when DATABASE_URL brings start-up options of its own', async () => {
        const t = await createTestDatabase();
        const url = new URL(t.url);
        url.searchParams.set('options', '-c search_path=public');
        const own = await openPostgres(url.toString(), quietLog);
        try {
          const r = await own.query<{ mode: string; path: string }>(
            "SELECT current_setting('plan_cache_mode') AS mode, current_setting('search_path') AS path",
            [],
            {
              prepare: 'test_url_options',
            },
          );
          expect(r.rows[0]).toEqual({ mode: 'force_generic_plan', path: 'public' });
        } finally {
          await own.close();
          await t.drop();
        }
      });

      it('an ordinary statement with parameters is still planned for its values', async () => {
        const r = await db.query<{ mode: string }>('SELECT current_setting($1) AS mode', ['plan_cache_mode']);
        expect(r.rows[0]!.mode).toBe('auto');
        const prepared = await db.query<{ mode: string }>('SELECT current_setting($1) AS mode', ['plan_cache_mode'], { prepare: 'test_mode' });
        expect(prepared.rows[0]!.mode).toBe('force_generic_plan');
      });
    }
  });
}
