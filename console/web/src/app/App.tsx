import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useEffect, useRef, type ReactNode } from 'react';
import {
  SessionProvider,
  needsTotpSetup,
  useMe,
  useSchool,
  useSession,
  CAPTURE_READERS,
  DEVICE_READERS,
  LIST_READERS,
  SUMMARY_READERS,
  ADMINS,
} from './session';
import { LiveProvider } from './live';
import { ChangePasswordPage, SignInPage, TotpSetupPage } from '../pages/SignIn';
import { InboxPage } from '../pages/Inbox';
import { CapturePage } from '../pages/Capture';
import { OverviewPage } from '../pages/Overview';
import { DevicesPage } from '../pages/Devices';
import { ListsPage } from '../pages/Lists';
import { SummariesPage } from '../pages/Summaries';
import { PeoplePage } from '../pages/People';
import { AccountPage } from '../pages/Account';
import { Loading } from '../components/bits';
import type { Role } from '../api/types';

interface NavItem {
  to: string;
  label: string;
  roles: readonly Role[];
}

const NAV: NavItem[] = [
  { to: '/inbox', label: 'Inbox', roles: CAPTURE_READERS },
  { to: '/overview', label: 'Overview', roles: CAPTURE_READERS },
  { to: '/devices', label: 'Devices', roles: DEVICE_READERS },
  { to: '/lists', label: 'Keyword lists', roles: LIST_READERS },
  { to: '/summaries', label: 'Summaries', roles: SUMMARY_READERS },
  { to: '/people', label: 'People and settings', roles: ADMINS },
];

function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { signOut, setSchoolId } = useSession();
  const school = useSchool();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const items = NAV.filter((item) => school.can(item.roles));

  // Move focus to the page on navigation, so keyboard and screen-reader users start at the top.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Vigil</span>
        <nav aria-label="Main">
          <ul>
            {items.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          {me.schools.length > 1 ? (
            <label className="school-picker">
              <span className="visually-hidden">School</span>
              <select value={school.schoolId ?? ''} onChange={(e) => setSchoolId(e.target.value)}>
                {me.schools.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className="school-name">{school.schoolName}</span>
          )}
          <NavLink to="/account" className="account-link" title="Your account">
            {me.user.email}
          </NavLink>
          <button type="button" className="subtle" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function Home() {
  const school = useSchool();
  const first = NAV.find((item) => school.can(item.roles));
  if (!first) {
    return (
      <div className="empty">
        <h1>Nothing to show</h1>
        <p>Your account has no role at this school that uses the dashboard. Ask your school admin.</p>
      </div>
    );
  }
  return <Navigate to={first.to} replace />;
}

function SignedIn() {
  const me = useMe();
  // The console's order: an authenticator first (for roles that need one), then a new password.
  if (needsTotpSetup(me)) return <TotpSetupPage />;
  if (me.user.mustChangePassword) return <ChangePasswordPage />;
  return (
    <LiveProvider csrfToken={me.csrfToken}>
      <Shell>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/inbox" element={<InboxPage />} />
          <Route path="/captures/:id" element={<CapturePage />} />
          <Route path="/overview" element={<OverviewPage />} />
          <Route path="/devices" element={<DevicesPage />} />
          <Route path="/lists" element={<ListsPage />} />
          <Route path="/summaries" element={<SummariesPage />} />
          <Route path="/summaries/:id" element={<SummariesPage />} />
          <Route path="/people" element={<PeoplePage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="/sign-in" element={<Navigate to="/" replace />} />
          <Route
            path="*"
            element={
              <div className="empty">
                <h1>Page not found</h1>
                <p>There is no page at this address.</p>
              </div>
            }
          />
        </Routes>
      </Shell>
    </LiveProvider>
  );
}

function Gate() {
  const { state } = useSession();
  if (state.status === 'loading') return <Loading label="Opening Vigil…" />;
  if (state.status === 'signed-out') return <SignInPage reason={state.reason} />;
  return <SignedIn />;
}

export function App() {
  return (
    <SessionProvider>
      <Gate />
    </SessionProvider>
  );
}
