// The accused cross-reference in one statement gives the same answers as the step-by-step version it replaced,
// over a registry built to hit every branch: a linked entry, a name with
// and without a unit, names shared by more than five people, nobody matching, repeat allegations with and without
// a link, and more than 20 discipline records or other petitions; from fresh plans and from the prepared
// statement's one kept plan. PGlite, and PostgreSQL when configured.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@vj/signaling';
import { loadRooms, seedDemoUsers, syncRooms } from '../../signaling/src/db/seed.js';
import { crossReference } from '../../signaling/src/registry/cross-reference.js';
import { backends, migrated } from '../helpers/backends.js';
import { crossReferenceStepwise } from '../helpers/cross-reference-stepwise.js';

// A small deterministic generator, so a failure names the same data on every run.
function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe.each(backends)('cross-reference ($name)', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const petitions: string[] = [];
  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    await syncRooms(db, loadRooms().rooms);
    await seedDemoUsers(db);
    const creator = (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'officer1'`)).rows[0]!.id;
    const rand = rng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const names = ['张伟', '王芳', '李强', '刘洋', '陈静', '杨勇'];
    const units = ['星沙街道办', '榔梨街道办', '黄花镇政府', '春华镇政府'];
    for (const [i, u] of units.entries())
      await db.query('INSERT INTO org_units (code, name, township_code) VALUES ($1, $2, $3)', [`U${i}`, u, i % 2 ? 'langli' : 'xingsha']);
    // 张伟 is eight people (more than the five candidates shown); the others one to three each.
    let n = 0;
    for (const name of names) {
      for (let k = 0; k < (name === '张伟' ? 8 : 1 + (n % 3)); k++) {
        const code = `GB-${String(++n).padStart(4, '0')}`;
        await db.query('INSERT INTO officials (code, name, unit_code, position, township_code) VALUES ($1, $2, $3, $4, $5)', [
          code,
          name,
          `U${n % 4}`,
          '科员',
          n % 2 ? 'langli' : 'xingsha',
        ]);
        // GB-0001 has 25 records (more than the 20 shown), others a few, some none.
        const records = code === 'GB-0001' ? 25 : n % 3;
        for (let r = 0; r < records; r++) {
          await db.query('INSERT INTO discipline_records (id, official_code, decided_on, kind, reason, authority) VALUES ($1, $2, $3, $4, $5, $6)', [
            `D-${code}-${r}`,
            code,
            `20${10 + (r % 15)}-0${1 + (r % 9)}-1${r % 9}`,
            pick(['警告', '严重警告', '记过']),
            '违反廉洁纪律',
            '县纪委',
          ]);
        }
      }
    }
    // 72 petitions naming people in every way; a few created on the same second (ties in the "others" order).
    for (let p = 0; p < 72; p++) {
      const id = randomUUID();
      petitions.push(id);
      await db.query(
        `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, created_at)
         VALUES ($1, $2, 'none', 'none', $3, '工作作风', '反映问题', false, $4, now() - make_interval(mins => $5))`,
        [id, `26${String(p).padStart(8, '0')}`, p % 2 ? 'langli' : 'xingsha', creator, p % 7],
      );
      const people = 1 + (p % 3);
      for (let k = 0; k < people; k++) {
        const kind = (p + k) % 6;
        const name = kind === 5 ? '无此人' : kind === 1 ? '张伟' : pick(names);
        const unit = kind === 1 ? '' : kind === 2 ? pick(units) : kind === 3 ? `U${p % 4}` : pick([...units, '']);
        const official = kind === 0 ? `GB-${String(1 + (p % n)).padStart(4, '0')}` : null;
        await db.query(
          'INSERT INTO petition_accused (id, petition_id, ord, name, unit, position, official_code) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)',
          [id, k, name, unit, '干部', official],
        );
      }
    }
  });
  afterAll(async () => cleanup?.());

  it('answers exactly as the step-by-step version for every petition', async () => {
    let matches = 0;
    for (const id of petitions) {
      const one = await crossReference(db, id);
      expect(one).toEqual(await crossReferenceStepwise(db, id));
      matches += one.accused.reduce((k, a) => k + a.matches.length, 0);
    }
    // The data reaches the branches it was built for.
    expect(matches).toBeGreaterThan(40);
    const all = await Promise.all(petitions.map((id) => crossReference(db, id)));
    const flat = all.flatMap((x) => x.accused);
    expect(flat.some((a) => a.matches.length === 5)).toBe(true);
    expect(flat.some((a) => a.matches.length === 0)).toBe(true);
    expect(flat.some((a) => a.matches.some((m) => m.linked))).toBe(true);
    expect(flat.some((a) => a.matches.some((m) => m.discipline.length === 20))).toBe(true);
    expect(flat.some((a) => a.matches.some((m) => m.otherPetitions.length === 20))).toBe(true);
    // A petition nobody knows answers as empty, not as an error.
    expect(await crossReference(db, randomUUID())).toEqual({ accused: [] });
  });

  // The statement is prepared (issue 18.6: its planning cost more than running it), so after a few runs a
  // connection answers from one plan made without the petition id: that plan must answer the same too.
  it('answers the same from the one plan the prepared statement keeps', async () => {
    await db.tx(async (q) => {
      // This connection may have prepared it already (earlier in this file): count this test's executions.
      const plans = async () => {
        const r = await q.query<{ generic_plans: string; custom_plans: string }>(
          `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'registry_cross_reference'`,
        );
        return { generic: Number(r.rows[0]?.generic_plans ?? 0), custom: Number(r.rows[0]?.custom_plans ?? 0) };
      };
      const before = await plans();
      await q.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      for (const id of petitions) expect(await crossReference(q, id)).toEqual(await crossReferenceStepwise(q, id));
      const after = await plans();
      expect(after.generic - before.generic).toBe(petitions.length);
      expect(after.custom).toBe(before.custom);
    });
  });
});
