import { AppError, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { digestSecret, newId, randomSecret } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';

/** The system administrator's kiosk devices: one live device per room, each credential shown once. */
export interface KioskRow {
  id: string;
  room_code: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

export async function listKioskDevices(db: Db): Promise<KioskRow[]> {
  return (await db.query<KioskRow>('SELECT id, room_code, label, created_at, revoked_at FROM kiosk_devices ORDER BY room_code, created_at')).rows;
}

/**
 * 重新配置: a new credential for the room of an existing device. The old device is revoked in the same transaction
 * (a room has one kiosk), both are audited there, and the secret is returned once: only its digest is kept, so a lost
 * credential means provisioning again. Answers the new row, its credential and the devices revoked (to disconnect).
 */
export async function reprovisionKiosk(db: Db, principal: Claims, deviceId: string): Promise<{ row: KioskRow; credential: string; revoked: string[] }> {
  const secret = randomSecret(32);
  const id = newId();
  const done = await db.tx(async (q) => {
    const old = await q.query<KioskRow>('SELECT id, room_code, label, created_at, revoked_at FROM kiosk_devices WHERE id = $1 FOR UPDATE', [deviceId]);
    const prev = old.rows[0];
    if (!prev) throw new AppError('NOT_FOUND', ERROR_MESSAGES.admin.kioskNotFound);
    const revoked = await q.query<{ id: string }>('UPDATE kiosk_devices SET revoked_at = now() WHERE room_code = $1 AND revoked_at IS NULL RETURNING id', [
      prev.room_code,
    ]);
    const row = await q.query<KioskRow>(
      'INSERT INTO kiosk_devices (id, room_code, secret_hash, label) VALUES ($1, $2, $3, $4) RETURNING id, room_code, label, created_at, revoked_at',
      [id, prev.room_code, digestSecret(secret), prev.label],
    );
    for (const r of revoked.rows) {
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'kiosk.revoke',
        objectType: 'kiosk',
        objectId: r.id,
        townshipCode: prev.room_code,
        details: { reason: 'reprovisioned' },
      });
    }
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'kiosk.provision',
      objectType: 'kiosk',
      objectId: id,
      townshipCode: prev.room_code,
      details: { replaces: deviceId },
    });
    return { row: row.rows[0]!, revoked: revoked.rows.map((r) => r.id) };
  });
  return { ...done, credential: `${id}.${secret}` };
}

/** Revokes one device (again is harmless), audited in the same transaction; the caller closes its socket. */
export async function revokeKiosk(db: Db, principal: Claims, deviceId: string): Promise<void> {
  await db.tx(async (q) => {
    const r = await q.query<{ room_code: string }>('UPDATE kiosk_devices SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING room_code', [
      deviceId,
    ]);
    if (!r.rows[0]) throw new AppError('NOT_FOUND', ERROR_MESSAGES.admin.kioskNotFound);
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'kiosk.revoke',
      objectType: 'kiosk',
      objectId: deviceId,
      townshipCode: r.rows[0].room_code,
    });
  });
}
