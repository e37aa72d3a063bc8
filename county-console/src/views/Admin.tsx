import { apiRequest } from '@vj/shared/client';
import { useApi, type TokenSource } from '../api';
import { T } from '../strings';

interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: string;
  townshipCode: string | null;
  disabled: boolean;
}
interface KioskRow {
  id: string;
  roomCode: string;
  label: string;
  createdAt: string;
  revoked: boolean;
}

export function Admin({ token }: { token: TokenSource }) {
  const users = useApi<{ items: UserRow[] }>(token, '/api/admin/users');
  const kiosks = useApi<{ items: KioskRow[] }>(token, '/api/admin/kiosks');
  const act = async (path: string, reload: () => void) => {
    await apiRequest('POST', path, { token: token() }).catch((err: unknown) => alert(err instanceof Error ? err.message : String(err)));
    reload();
  };
  return (
    <div className="split">
      <section className="panel">
        <h2>{T.usersTitle}</h2>
        {users.error && <p className="error">{T.loadFailed(users.error)}</p>}
        <table className="table">
          <tbody>
            {users.data?.items.map((u) => (
              <tr key={u.id}>
                <td>{u.displayName}</td>
                <td>{u.username}</td>
                <td>{T.roleNames[u.role]}</td>
                <td>{u.disabled ? T.disabled : T.active}</td>
                <td>
                  <button onClick={() => void act(`/api/admin/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`, users.reload)}>{u.disabled ? T.enable : T.disable}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h2>{T.kiosksTitle}</h2>
        {kiosks.error && <p className="error">{T.loadFailed(kiosks.error)}</p>}
        <table className="table">
          <tbody>
            {kiosks.data?.items.map((k) => (
              <tr key={k.id}>
                <td>{k.roomCode}</td>
                <td>{k.label}</td>
                <td>{new Date(k.createdAt).toLocaleDateString('zh-CN')}</td>
                <td>{k.revoked ? T.revoked : <button onClick={() => void act(`/api/admin/kiosks/${k.id}/revoke`, kiosks.reload)}>{T.revoke}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
