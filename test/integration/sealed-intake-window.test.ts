import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEALED_INTAKE_WINDOW_MIN } from '../../signaling/src/petitions/attachments.js';
import { api } from '../helpers/api.js';
import { loginAll, PNG, petitionBody, upload, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// Issue 16, second review, small point: a matter sealed at intake took files from its filing officer forever.
// The intake form's files come right after the submit; after the window the matter is the leader's alone.

let s: InProcessServer;
let logins: Logins;
const officer = () => logins['officer1']!.accessToken;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
});
afterAll(async () => {
  await s?.stop();
});

const files = async (id: string) =>
  Number((await s.server.db.query<{ n: string }>('SELECT count(*) AS n FROM petition_attachments WHERE petition_id = $1', [id])).rows[0]!.n);

describe('files for a matter sealed at intake', () => {
  it('the filing officer adds them within the window, not after it; an open matter keeps taking them', async () => {
    const sealed = petitionBody('xingsha', null, { sealed: true });
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer(), body: sealed })).status).toBe(200);
    expect((await upload(s.url, officer(), sealed.id, randomUUID(), PNG, 'image/png', '密封证据.png')).status).toBe(200);
    const open = petitionBody('xingsha');
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer(), body: open })).status).toBe(200);

    // Both filed a minute more than the window ago.
    await s.server.db.query(`UPDATE petitions SET created_at = now() - make_interval(mins => $2) WHERE id = ANY($1::uuid[])`, [
      [sealed.id, open.id],
      SEALED_INTAKE_WINDOW_MIN + 1,
    ]);
    const late = await upload(s.url, officer(), sealed.id, randomUUID(), PNG, 'image/png', '补充.png');
    expect(late.status).toBe(404);
    expect(await files(sealed.id)).toBe(1);
    expect((await upload(s.url, officer(), open.id, randomUUID(), PNG, 'image/png', '补充.png')).status).toBe(200);
    expect(await files(open.id)).toBe(1);
  });
});
