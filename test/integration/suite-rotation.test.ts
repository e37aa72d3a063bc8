// Issue 15, crypto suite: data sealed under `intl` stays readable when `sm` is configured, and keys:rotate
// re-seals it (data keys, identity, evidence, seals, PIN verifiers) so that every reveal, download and receipt
// still works, nothing is left under `intl`, a re-run changes nothing, and a tampered identity is not laundered.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdCardCheck } from '@vj/shared';
import { migrate, type Db } from '@vj/signaling';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { LocalRateLimiter } from '../../signaling/src/http/rate-limit.js';
import { Attachments } from '../../signaling/src/petitions/attachments.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { ReceiptLookup } from '../../signaling/src/petitions/receipts.js';
import { resealPetitions } from '../../signaling/src/petitions/reseal.js';
import { MasterKeys, envelopeSuite } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { rewrapDataKeys } from '../../signaling/src/security/rotate-keys.js';
import { loadSystemKeys } from '../../signaling/src/security/system-keys.js';
import { backends, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';

const spec = MasterKeys.generateSpec(1);
const kiosk = { sub: randomUUID(), role: 'kiosk', name: 'k', room: 'xingsha', exp: 0, iat: 0, aud: 'vj:kiosk', iss: 'vj-signaling' } as Claims;
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(600, 7)]);

describe.each(backends)('crypto suite rotation intl → sm on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await backend.open());
    await migrate(db, quietLog);
  });
  afterAll(async () => cleanup?.());

  const blobs = async () => {
    const r = await db.query<{ b: Buffer }>(
      `SELECT wrapped AS b FROM data_keys UNION ALL SELECT wrapped FROM system_keys
       UNION ALL SELECT unnest(ARRAY[name_ct, id_card_ct, phone_ct, address_ct, village_ct]) FROM petition_identity
       UNION ALL SELECT unnest(ARRAY[filename_ct, content_ct]) FROM petition_attachments`,
    );
    return r.rows.map((x) => x.b).filter((b): b is Buffer => b !== null);
  };

  it('keeps every reveal, download and receipt across the rotation, leaves nothing under intl, and re-runs as a no-op', async () => {
    const intl = MasterKeys.parse(spec, 'intl');
    db.integrity = (await loadSystemKeys(db, intl, quietLog)).keys;
    const who = await seededClaims(db, ['officer1'] as const);
    const before = new PetitionService(db, intl);
    const made = [];
    for (const name of ['赵六', '钱七', '孙八']) {
      const body = {
        id: randomUUID(),
        sessionId: null,
        townshipCode: 'xingsha',
        category: '工作作风' as const,
        narrative: '轮换前的信访',
        accused: [],
        identity: { name, idCard: withIdCardCheck('43012119800101001'), phone: '13800000001', address: '某路 2 号', village: '某村' },
      };
      made.push({ body, receipt: await before.submit(who.officer1, body) });
    }
    const fileId = randomUUID();
    await new Attachments(db, before.vault).put(who.officer1, made[0]!.body.id, fileId, 'image/png', '现场照片.png', png);
    const old = await blobs();
    expect(old.length).toBeGreaterThan(10);
    expect(old.every((b) => envelopeSuite(b) === 'intl')).toBe(true);

    // The operator sets CRYPTO_SUITE=sm and restarts: old data reads, new data is sealed with sm.
    const sm = MasterKeys.parse(spec, 'sm');
    const smKeys = (await loadSystemKeys(db, sm, quietLog)).keys;
    db.integrity = smKeys;
    const after = new PetitionService(db, sm);
    expect((await after.reveal(who.officer1, made[1]!.body.id, '轮换前核对')).identity.name).toBe('钱七');

    // Tamper with one petition's identity: the rotation must refuse it, not re-seal it into looking genuine.
    const victim = made[2]!.body.id;
    await db.query('UPDATE petition_identity SET phone_ct = (SELECT phone_ct FROM petition_identity WHERE petition_id = $2) WHERE petition_id = $1', [
      victim,
      made[1]!.body.id,
    ]);

    await rewrapDataKeys(db, sm);
    const report = await resealPetitions(db, sm, smKeys);
    expect(report.refused).toEqual([victim]);
    expect(report.petitions).toBe(2);

    const now = await blobs();
    const stillIntl = now.filter((b) => envelopeSuite(b) === 'intl');
    // Only the tampered petition's fields (left for an investigator) remain under intl.
    expect(stillIntl.length).toBe(5);
    const p = await db.query<{ id: string; pin_hash: string; identity_mac: string }>('SELECT id, pin_hash, identity_mac FROM petitions ORDER BY id');
    for (const row of p.rows.filter((r) => r.id !== victim)) {
      expect(row.pin_hash.startsWith('hmac$sm$')).toBe(true);
      expect(row.identity_mac.startsWith('sm$')).toBe(true);
    }

    for (const m of made.slice(0, 2)) {
      expect((await after.reveal(who.officer1, m.body.id, '轮换后核对')).identity.name).toBe(m.body.identity.name);
      expect((await new ReceiptLookup(db, new LocalRateLimiter()).lookup(kiosk, m.receipt.caseCode, m.receipt.pin)).caseCode).toBe(m.receipt.caseCode);
      // A retried submission still gets the same receipt.
      expect(await after.submit(who.officer1, m.body)).toMatchObject({ created: false, caseCode: m.receipt.caseCode, pin: m.receipt.pin });
    }
    const file = await new Attachments(db, after.vault).get(who.officer1, made[0]!.body.id, fileId);
    expect(file.filename).toBe('现场照片.png');
    expect(file.data.equals(png)).toBe(true);
    await expect(after.reveal(who.officer1, victim, '核对被篡改的件')).rejects.toMatchObject({ code: 'INTEGRITY' });

    // Re-running changes nothing, and the audit chain (intl rows, then sm rows) verifies throughout.
    expect(await resealPetitions(db, sm, smKeys)).toEqual({ petitions: 0, refused: [victim] });
    const audit = await db.query<{ action: string; suite: string; details: { suite?: string } }>(
      `SELECT action, suite, details FROM audit_log WHERE action = 'keys.rotate' ORDER BY seq`,
    );
    expect(audit.rows.some((r) => r.details.suite === 'sm')).toBe(true);
    expect(audit.rows.every((r) => r.suite === 'sm')).toBe(true);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
