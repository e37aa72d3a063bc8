import { useEffect, useState } from 'react';
import type { AdminKioskView, AdminOfficialView, AdminUserView, KioskProvisionResult, UserLinkBody } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useApi, type TokenSource } from '../api';
import { ListView } from '../components/ListView';
import { T } from '../strings';

const DEBOUNCE_MS = 300;

function linkText(u: AdminUserView): string {
  if (u.official) return `${u.official.name} · ${u.official.unitName ?? '—'} · ${u.official.position || '—'}（${u.official.code}）`;
  return u.personName ? T.nameOnly(u.personName) : T.notLinked;
}

/** `me`: the signed-in administrator, whose own row offers no 停用 (the server refuses it). */
export function Admin({ token, me }: { token: TokenSource; me: string | undefined }) {
  const users = useApi<{ items: AdminUserView[] }>(token, '/api/admin/users');
  const kiosks = useApi<{ items: AdminKioskView[] }>(token, '/api/admin/kiosks');
  const [linking, setLinking] = useState<AdminUserView>();
  const [provisioned, setProvisioned] = useState<KioskProvisionResult>();
  const act = async (path: string, reload: () => void, body?: unknown) => {
    await apiRequest('POST', path, { token: token(), body }).catch((err: unknown) => alert(err instanceof Error ? err.message : String(err)));
    reload();
  };
  const revoke = (k: AdminKioskView) => {
    if (confirm(T.revokeConfirm(k.roomName, k.label))) void act(`/api/admin/kiosks/${k.id}/revoke`, kiosks.reload);
  };
  // A room whose kiosk was revoked can get a new one from any of its rows.
  const activeRooms = new Set(kiosks.data?.items.filter((k) => !k.revoked).map((k) => k.roomCode));
  const reprovision = async (k: AdminKioskView) => {
    if (!confirm(T.reprovisionConfirm(k.roomName))) return;
    try {
      setProvisioned(await apiRequest<KioskProvisionResult>('POST', `/api/admin/kiosks/${k.id}/reprovision`, { token: token() }));
    } catch (err) {
      alert(err instanceof Error ? err.message : String(err));
    }
    kiosks.reload();
  };
  const unlink = (u: AdminUserView) => {
    if (confirm(T.unlinkConfirm(u.username))) void act(`/api/admin/users/${u.id}/official`, users.reload, { link: 'none' } satisfies UserLinkBody);
  };
  return (
    <div className="split admin">
      <section className="panel">
        <h2>{T.usersTitle}</h2>
        <ListView
          rows={users.data?.items}
          error={users.error}
          loading={users.loading && !users.data}
          empty={T.usersEmpty}
          testId="users-table"
          columns={T.userColumns}
          row={(u) => (
            <tr key={u.id} data-testid={`user-${u.username}`}>
              <td className="wraps">{u.displayName}</td>
              <td translate="no">{u.username}</td>
              <td>{T.roleNames[u.role]}</td>
              <td data-testid="user-link" title={T.linkColumn}>
                <span className={u.official || u.personName ? '' : 'hint'}>{linkText(u)}</span>{' '}
                <button className="link" onClick={() => setLinking(u)}>
                  {T.linkAction}
                </button>
                {(u.official || u.personName) && (
                  <button className="link" onClick={() => unlink(u)}>
                    {T.unlinkAction}
                  </button>
                )}
              </td>
              <td>{u.disabled ? T.disabled : T.active}</td>
              <td>
                {u.id === me ? (
                  <span className="hint">{T.selfRow}</span>
                ) : u.role === 'sec_admin' || u.role === 'audit_admin' ? (
                  <span className="hint" title={T.separatedAdminTitle} data-testid="separated-admin">
                    {T.separatedAdminHint}
                  </span>
                ) : (
                  <button
                    onClick={() => {
                      if (!u.disabled && !confirm(T.disableConfirm(u.displayName))) return;
                      void act(`/api/admin/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`, users.reload);
                    }}
                  >
                    {u.disabled ? T.enable : T.disable}
                  </button>
                )}
              </td>
            </tr>
          )}
        />
        {linking && (
          <LinkDialog
            token={token}
            user={linking}
            onClose={() => setLinking(undefined)}
            onLink={async (body) => {
              await act(`/api/admin/users/${linking.id}/official`, users.reload, body);
              setLinking(undefined);
            }}
          />
        )}
      </section>
      <section className="panel">
        <h2>{T.kiosksTitle}</h2>
        {provisioned && (
          <div className="action-form provisioned" role="alert" data-testid="kiosk-provisioned">
            <h3>{T.reprovisionTitle(provisioned.kiosk.roomName)}</h3>
            <p className="warn-text">{T.reprovisionOnce}</p>
            <label>
              {T.reprovisionUrl}
              <input
                readOnly
                value={`${location.origin}${provisioned.kioskPath}`}
                onFocus={(e) => e.target.select()}
                data-testid="kiosk-provisioned-url"
                translate="no"
              />
            </label>
            <label>
              {T.reprovisionCredential}
              <input readOnly value={provisioned.credential} onFocus={(e) => e.target.select()} data-testid="kiosk-provisioned-credential" translate="no" />
            </label>
            <div className="actions">
              <button onClick={() => setProvisioned(undefined)}>{T.close}</button>
            </div>
          </div>
        )}
        <ListView
          rows={kiosks.data?.items}
          error={kiosks.error}
          loading={kiosks.loading && !kiosks.data}
          empty={T.kiosksEmpty}
          columns={[T.kioskRoom, T.kioskLabel, T.kioskCreated, T.kioskState, '']}
          testId="kiosks-table"
          row={(k) => (
            <tr key={k.id} data-testid={`kiosk-${k.roomCode}`} data-revoked={k.revoked}>
              <td>{k.roomName}</td>
              <td translate="no">{k.label}</td>
              <td>{new Date(k.createdAt).toLocaleDateString('zh-CN')}</td>
              <td>{k.revoked ? T.revoked : T.active}</td>
              <td className="row-actions">
                {!k.revoked && (
                  <button onClick={() => revoke(k)} data-testid={`kiosk-revoke-${k.roomCode}`}>
                    {T.revoke}
                  </button>
                )}
                {(!k.revoked || !activeRooms.has(k.roomCode)) && (
                  <button onClick={() => void reprovision(k)} data-testid={`kiosk-reprovision-${k.roomCode}`}>
                    {T.reprovision}
                  </button>
                )}
              </td>
            </tr>
          )}
        />
      </section>
    </div>
  );
}

/** 关联干部档案: search the registry by name, unit or code and pick the account's person (or keep a name only). */
function LinkDialog({
  token,
  user,
  onClose,
  onLink,
}: {
  token: TokenSource;
  user: AdminUserView;
  onClose: () => void;
  onLink: (body: UserLinkBody) => Promise<void>;
}) {
  const [text, setText] = useState(user.official?.name ?? user.personName ?? '');
  const [items, setItems] = useState<AdminOfficialView[]>();
  const [error, setError] = useState<string>();
  const q = text.trim();
  useEffect(() => {
    if (!q) return setItems(undefined);
    let live = true;
    const t = setTimeout(() => {
      apiRequest<{ items: AdminOfficialView[] }>('GET', `/api/admin/officials?q=${encodeURIComponent(q)}&limit=20`, { token: token() }).then(
        (r) => live && (setItems(r.items), setError(undefined)),
        (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q, token]);
  return (
    <div className="action-form" data-testid="link-dialog">
      <h3>
        {T.linkAction}：{user.displayName}（{user.username}）
      </h3>
      <p className="hint">{T.linkExplain}</p>
      <input autoFocus value={text} placeholder={T.linkSearchHint} onChange={(e) => setText(e.target.value)} data-testid="link-search" />
      {/* A search that failed says why in the request's own words: the dialog stays open to try again. */}
      <ListView
        rows={items}
        error={error}
        errorText={(e) => e}
        empty={T.linkSearchEmpty}
        compact
        testId="link-results"
        row={(o) => (
          <tr key={o.code}>
            <td>{o.name}</td>
            <td>{o.unitName ?? '—'}</td>
            <td>{o.position || '—'}</td>
            <td>{o.code}</td>
            <td className="hint">{o.linkedUsers.length > 0 && T.linkAlreadyTo(o.linkedUsers.join('、'))}</td>
            <td>
              <button className="primary" onClick={() => void onLink({ link: 'official', officialCode: o.code })} data-testid={`link-pick-${o.code}`}>
                {T.linkPick}
              </button>
            </td>
          </tr>
        )}
      />
      <div className="actions">
        <button onClick={onClose}>{T.close}</button>
        <button disabled={!q} onClick={() => void onLink({ link: 'name', personName: q })}>
          {T.linkNameOnly}
        </button>
      </div>
    </div>
  );
}
