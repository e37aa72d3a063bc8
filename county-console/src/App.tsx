import { useEffect, useState, useSyncExternalStore } from 'react';
import { isDistrictRole, type Role, type SealedListAnswer } from '@vj/shared';
import { useApi } from './api';
import { AlertBar } from './components/AlertBar';
import { ChangePassword } from './components/ChangePassword';
import { EnrolSecondFactor } from './components/EnrolSecondFactor';
import { SecondFactorStep } from './components/SecondFactorStep';
import { Login } from './components/Login';
import type { ConsoleController } from './console-controller';
import { TC } from './case-strings';
import { TA, TE } from './archive-strings';
import { TO } from './opinion-strings';
import { TV } from './visit-strings';
import { TD } from './discipline-strings';
import { TR } from './recommendation-strings';
import { TS } from './sealed-strings';
import { T } from './strings';
import { Account } from './views/Account';
import { Admin } from './views/Admin';
import { Audit } from './views/Audit';
import { Cases } from './views/Cases';
import { Dashboard } from './views/Dashboard';
import { DisciplineQuery } from './views/DisciplineQuery';
import { Notices } from './views/Notices';
import { Opinions } from './views/Opinions';
import { Visits } from './views/Visits';
import { Policy } from './views/Policy';
import { Recommendations } from './views/Recommendations';
import { Registry } from './views/Registry';
import { SealedMatters } from './views/SealedMatters';
import { Security } from './views/Security';
import { StaffDesk } from './views/StaffDesk';
import { TownshipCases } from './views/TownshipCases';
import { Warnings } from './views/Warnings';
import { UnitReports } from './views/UnitReports';
import { Workbench } from './views/Workbench';

const NAV = {
  ...T.nav,
  dashboard: TC.navDashboard,
  notices: TC.navNotices,
  registry: TC.navRegistry,
  policy: TC.navPolicy,
  sealed: TS.nav,
  discipline: TD.nav,
  letters: TR.nav,
  warnings: TA.nav,
  opinions: TO.nav,
  visits: TV.nav,
  ecology: TE.nav,
};
type View = keyof typeof NAV;

const VIEWS: Record<Exclude<Role, 'kiosk'>, View[]> = {
  county_officer: ['workbench', 'cases', 'notices', 'dashboard'],
  // 密封事项: for the supervisor, only those no principal leader may read (they name the leader), to send up. No tab
  // (the bar keeps its one line on a 1280 screen): an alert opens it while one waits to be sent (officeSealed below).
  county_supervisor: ['workbench', 'cases', 'notices', 'dashboard', 'audit', 'registry', 'policy', 'sealed'],
  // 县纪委监委主要负责人: the sealed matters, and as a commission leader the discipline records (no sealed matter there)
  // and the 建议书 loop.
  county_leader: ['sealed', 'discipline', 'warnings', 'ecology', 'letters', 'opinions'],
  // Issue 17's roles: the discipline-records query and the 建议书 loop (党风政风监督室 records and acts, the others read;
  // a 片区督查组 its own 片区's); 清廉档案 on a person's page and its warnings (the 督查组 enters and closes, its leader
  // signs; 审理室 reads the records, not the profiles); the 政治生态报告 of the units (the profile readers);
  // 廉政意见回复 (the office drafts and words, a leader signs).
  case_reviewer: ['discipline', 'visits', 'letters'],
  conduct_office: ['discipline', 'warnings', 'ecology', 'letters', 'opinions'],
  district_inspector: ['discipline', 'warnings', 'ecology', 'visits', 'letters'],
  district_leader: ['discipline', 'warnings', 'ecology', 'visits', 'letters'],
  township_handler: ['township'],
  township_staff: ['staff'],
  // 三员分立: each administrator sees only their own work, and none of them a petition.
  sys_admin: ['admin', 'registry'],
  sec_admin: ['security'],
  audit_admin: ['audit'],
};

/** 回访教育 is planned and recorded by 审理室 and the 片区督查组. */
const VISIT_WRITERS: readonly string[] = ['case_reviewer', 'district_inspector', 'district_leader'];

export function App({ controller }: { controller: ConsoleController }) {
  const s = useSyncExternalStore(controller.subscribe, controller.getSnapshot);
  const supervisor = s.user?.role === 'county_supervisor';
  const officeSealed = useApi<SealedListAnswer>(controller.token, supervisor ? '/api/sealed' : undefined);
  const officeWaiting = officeSealed.data?.items.some((m) => !m.sentUp) ?? false;
  const views = s.user ? VIEWS[s.user.role as Exclude<Role, 'kiosk'>].filter((v) => v !== 'sealed' || !supervisor || officeWaiting) : [];
  const [view, setView] = useState<View | undefined>();
  const [changing, setChanging] = useState(false);
  const [enrolling, setEnrolling] = useState(false);
  const [accountOpen, setAccountOpen] = useState(false);
  const current = view && views.includes(view) ? view : views[0];
  // Whoever logs in next starts on their own first page, not on the page the last user left open.
  const userId = s.user?.id;
  useEffect(() => (setView(undefined), setAccountOpen(false), setEnrolling(false)), [userId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (current !== 'workbench') return;
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'a' || e.key === 'A') controller.answerOldest();
      if (e.key === 'e' || e.key === 'E') void controller.hangUp();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller, current]);

  if (!s.user && s.challenge) return <SecondFactorStep onSubmit={controller.secondFactor} onBack={controller.cancelSecondFactor} />;
  if (!s.user) return <Login error={s.loginError} busy={s.loggingIn} onLogin={controller.login} />;
  if (s.user.mustChangePassword || changing) {
    return (
      <ChangePassword
        username={s.user.username}
        forced={Boolean(s.user.mustChangePassword)}
        onChange={async (c, n) => (await controller.changePassword(c, n), setChanging(false))}
        onCancel={s.user.mustChangePassword ? controller.logout : () => setChanging(false)}
      />
    );
  }
  if (s.user.mustEnrolSecondFactor || enrolling) {
    const forced = Boolean(s.user.mustEnrolSecondFactor);
    return (
      <EnrolSecondFactor
        token={controller.token}
        forced={forced}
        onDone={() => (controller.secondFactorEnrolled(), setEnrolling(false))}
        onCancel={forced ? controller.logout : () => setEnrolling(false)}
      />
    );
  }

  const offline = s.rooms.filter((r) => r.state === 'offline').length;
  const county = s.user.role === 'county_officer' || s.user.role === 'county_supervisor';
  return (
    <div className="console">
      <header className="topbar">
        <strong title={T.appTitle}>
          {T.appName}
          <span className="title-org">{T.appOrg}</span>
        </strong>
        <nav className="tabs">
          {views
            .filter((v) => !(supervisor && v === 'sealed'))
            .map((v) => (
              <button
                key={v}
                className={v === current && !accountOpen ? 'tab on' : 'tab'}
                onClick={() => (setView(v), setAccountOpen(false))}
                data-testid={`nav-${v}`}
              >
                {NAV[v]}
              </button>
            ))}
        </nav>
        <div className="alerts" role="status">
          {county && s.connection !== 'online' && <span className="alert alert-bad">{T.reconnecting}</span>}
          {county && offline > 0 && s.connection === 'online' && (
            <span className="alert alert-warn" title={T.offlineAlert(offline)}>
              {T.offlineAlert(offline)}
            </span>
          )}
          {supervisor && officeWaiting && current !== 'sealed' && (
            <button
              className="alert alert-warn"
              onClick={() => (setView('sealed'), setAccountOpen(false))}
              title={TS.officeAlert}
              data-testid="office-sealed-alert"
            >
              {TS.officeAlert}
            </button>
          )}
          {s.notice && (
            <span className="alert alert-info" data-testid="notice" title={s.notice}>
              {s.notice}
            </span>
          )}
        </div>
        {county && (
          <button className="link" onClick={controller.toggleSound}>
            {s.soundOn ? T.soundOn : T.soundOff}
          </button>
        )}
        <span className="account">
          <span className="who" title={`${s.user.displayName} · ${T.roleNames[s.user.role]}`}>
            {s.user.displayName} · {T.roleNames[s.user.role]}
          </span>
          <button className="link" onClick={() => setAccountOpen(true)} data-testid="open-account">
            {T.account.open}
          </button>
          <button className="link" onClick={controller.logout} data-testid="logout">
            {T.logout}
          </button>
        </span>
      </header>
      {s.idleWarning !== undefined && (
        <div className="idle-warning" role="alert" data-testid="idle-warning">
          {T.idleWarning(s.idleWarning)}
          <button className="primary" onClick={controller.stillHere} data-testid="idle-stay">
            {T.idleStay}
          </button>
        </div>
      )}
      {county && <AlertBar alerts={s.alerts} rooms={s.rooms} onAck={controller.ackAlert} />}
      <main className="page">
        {accountOpen && (
          <Account
            token={controller.token}
            onEnrol={() => setEnrolling(true)}
            onChangePassword={() => setChanging(true)}
            onEndedCurrent={controller.logout}
            onClose={() => setAccountOpen(false)}
          />
        )}
        {!accountOpen && current === 'workbench' && <Workbench s={s} controller={controller} />}
        {!accountOpen && current === 'cases' && <Cases token={controller.token} rooms={s.rooms} role={s.user.role} />}
        {!accountOpen && current === 'notices' && (
          <Notices token={controller.token} role={s.user.role} roomName={(c) => s.rooms.find((r) => r.code === c)?.name ?? c} />
        )}
        {!accountOpen && current === 'dashboard' && (
          <Dashboard token={controller.token} role={s.user.role} roomName={(c) => s.rooms.find((r) => r.code === c)?.name ?? c} />
        )}
        {!accountOpen && current === 'registry' && <Registry token={controller.token} />}
        {!accountOpen && current === 'policy' && <Policy token={controller.token} />}
        {!accountOpen && current === 'audit' && <Audit token={controller.token} canExport={s.user.role === 'audit_admin'} />}
        {!accountOpen && current === 'admin' && <Admin token={controller.token} me={userId} />}
        {!accountOpen && current === 'security' && <Security token={controller.token} />}
        {!accountOpen && current === 'township' && <TownshipCases token={controller.token} role={s.user.role} />}
        {!accountOpen && current === 'staff' && <StaffDesk s={s} controller={controller} />}
        {!accountOpen && current === 'sealed' && <SealedMatters token={controller.token} />}
        {!accountOpen && current === 'discipline' && (
          <DisciplineQuery
            token={controller.token}
            archive={s.user.role !== 'case_reviewer'}
            visits={VISIT_WRITERS.includes(s.user.role)}
            district={isDistrictRole(s.user.role)}
          />
        )}
        {!accountOpen && current === 'warnings' && <Warnings token={controller.token} canImport={isDistrictRole(s.user.role)} />}
        {!accountOpen && current === 'ecology' && <UnitReports token={controller.token} />}
        {!accountOpen && current === 'visits' && <Visits token={controller.token} canWrite={VISIT_WRITERS.includes(s.user.role)} />}
        {!accountOpen && current === 'opinions' && (
          <Opinions token={controller.token} canWrite={s.user.role === 'conduct_office'} canSign={s.user.role === 'county_leader'} />
        )}
        {!accountOpen && current === 'letters' && (
          <Recommendations token={controller.token} canWrite={s.user.role === 'conduct_office' || s.user.role === 'county_leader'} />
        )}
      </main>
    </div>
  );
}
