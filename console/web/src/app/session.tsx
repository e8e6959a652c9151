import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onAuthError, setCsrfToken } from '../api/client';
import type { Me, Role } from '../api/types';

export type SessionState =
  { status: 'loading' } | { status: 'signed-out'; reason?: string } | { status: 'signed-in'; me: Me };

interface SessionValue {
  state: SessionState;
  /** Stores the answer of login or me. */
  signedIn(me: Me): void;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
  schoolId: string | null;
  setSchoolId(id: string): void;
}

const SessionContext = createContext<SessionValue | null>(null);
const SCHOOL_KEY = 'vigil.school';

export function needsTotpSetup(me: Me): boolean {
  return Boolean(me.user.totpSetupRequired ?? me.totpSetupRequired);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [schoolId, setSchoolIdState] = useState<string | null>(() => localStorage.getItem(SCHOOL_KEY));

  const signedIn = useCallback((me: Me) => {
    setCsrfToken(me.csrfToken);
    setState({ status: 'signed-in', me });
    setSchoolIdState((current) =>
      current && me.schools.some((s) => s.id === current) ? current : (me.schools[0]?.id ?? null),
    );
  }, []);

  const refresh = useCallback(async () => {
    try {
      signedIn(await api<Me>('GET', '/api/auth/me', undefined, { quiet: true }));
    } catch {
      setCsrfToken(null);
      setState({ status: 'signed-out' });
    }
  }, [signedIn]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(
    () =>
      onAuthError((error) => {
        if (error.code === 'CONSOLE_ERR_UNAUTHENTICATED') {
          setCsrfToken(null);
          setState({ status: 'signed-out', reason: 'Your session has ended. Please sign in again.' });
        } else {
          void refresh();
        }
      }),
    [refresh],
  );

  const signOut = useCallback(async () => {
    try {
      await api('POST', '/api/auth/logout', {}, { quiet: true });
    } finally {
      setCsrfToken(null);
      setState({ status: 'signed-out' });
    }
  }, []);

  const setSchoolId = useCallback((id: string) => {
    localStorage.setItem(SCHOOL_KEY, id);
    setSchoolIdState(id);
  }, []);

  const value = useMemo(
    () => ({ state, signedIn, refresh, signOut, schoolId, setSchoolId }),
    [state, signedIn, refresh, signOut, schoolId, setSchoolId],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user (only inside the signed-in part of the app). */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe while not signed in');
  return state.me;
}

export const CAPTURE_READERS: readonly Role[] = ['org_admin', 'dsl', 'deputy_dsl', 'head'];
export const CAPTURE_REVIEWERS: readonly Role[] = ['org_admin', 'dsl', 'deputy_dsl'];
export const DEVICE_READERS: readonly Role[] = ['school_admin', 'org_admin', 'dsl', 'deputy_dsl', 'head'];
export const LIST_READERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'deputy_dsl', 'head'];
export const LIST_EDITORS: readonly Role[] = ['org_admin', 'school_admin', 'dsl'];
export const SUMMARY_READERS: readonly Role[] = ['head', 'dsl', 'deputy_dsl', 'org_admin'];
export const SUMMARY_EDITORS: readonly Role[] = ['org_admin', 'school_admin', 'dsl'];
export const ADMINS: readonly Role[] = ['org_admin', 'school_admin'];

/** The current school and what the user may do there. */
export function useSchool(): {
  schoolId: string | null;
  schoolName: string;
  roles: Role[];
  can(roles: readonly Role[]): boolean;
} {
  const me = useMe();
  const { schoolId } = useSession();
  const school = me.schools.find((s) => s.id === schoolId) ?? me.schools[0];
  const roles = school?.roles ?? [];
  return {
    schoolId: school?.id ?? null,
    schoolName: school?.name ?? '',
    roles,
    can: (wanted) => roles.some((r) => wanted.includes(r)),
  };
}
