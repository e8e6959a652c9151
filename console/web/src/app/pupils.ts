import { useEffect, useState } from 'react';
import { get } from '../api/client';
import type { Pupil, PupilDirectory, Role } from '../api/types';
import { useMe, useSchool } from './session';

/** Who may read the directory (the console's PUPIL_DIRECTORY_READERS). */
export const PUPIL_DIRECTORY_READERS: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'deputy_dsl'];

/**
 * The key a login matches by, as the console's `loginKey`: case-insensitive, without a Windows
 * domain (`OAK\`) or an `@suffix`, so `OAK\JSmith`, `jsmith@oak.sch.uk` and `jsmith` are one pupil.
 */
export function loginKey(login: string): string {
  const withoutDomain = login.trim().split('\\').pop() ?? '';
  return (withoutDomain.split('@')[0] ?? '').trim().toLowerCase();
}

/** One read per user and school while the page is open (each read is audited as `pupils.view`). */
const cache = new Map<string, Promise<Map<string, Pupil>>>();

export function resetPupilCache(): void {
  cache.clear();
}

/** After an upload: the next read fetches the new directory. */
export function forgetPupilDirectory(schoolId: string): void {
  for (const key of [...cache.keys()]) if (key.endsWith(`|${schoolId}`)) cache.delete(key);
}

/**
 * Pupils by login key from the school's directory, for showing "John Smith, Year 9" beside a login;
 * empty when the user may not read the directory, it is empty, or it cannot be read.
 */
export function usePupilDirectory(): Map<string, Pupil> {
  const me = useMe();
  const school = useSchool();
  const allowed = school.can(PUPIL_DIRECTORY_READERS);
  const schoolId = school.schoolId;
  const [pupils, setPupils] = useState<Map<string, Pupil>>(new Map());
  useEffect(() => {
    if (!allowed || !schoolId) return setPupils(new Map());
    const key = `${me.user.id}|${schoolId}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = get<PupilDirectory>(`/api/schools/${encodeURIComponent(schoolId)}/pupils`)
        .then((d) => new Map(d.pupils.map((p) => [loginKey(p.login), p] as const)))
        .catch(() => new Map<string, Pupil>());
      cache.set(key, entry);
    }
    let live = true;
    void entry.then((map) => live && setPupils(map));
    return () => {
      live = false;
    };
  }, [allowed, schoolId, me.user.id]);
  return pupils;
}

/** "John Smith, Year 9" for a login the directory knows; null otherwise. */
export function pupilLabel(pupils: Map<string, Pupil>, login: string): string | null {
  const p = pupils.get(loginKey(login));
  if (!p) return null;
  return p.yearGroup ? `${p.name}, ${p.yearGroup}` : p.name;
}
