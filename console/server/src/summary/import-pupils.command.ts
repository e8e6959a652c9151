import fs from 'node:fs';
import type { ConsoleConfig } from '../config';
import { openConsoleDatabase } from '../db/database';
import { repositoriesFor } from '../plugins/storage.plugin';
import { CLI_ACTOR } from '../services/user-accounts.service';
import { PupilDirectoryError, pupilsFromCsv } from './pupil-directory';
import { PupilsRepository } from './pupils.repository';

export class ImportPupilsError extends Error {}

export interface ImportPupilsResult {
  schoolId: string;
  /** Pupils in the directory before and after the import (the import replaces it). */
  before: number;
  count: number;
}

/**
 * `npm run console -- import-pupils --school ID --csv FILE`: replaces a school's pupil directory
 * with a CSV file (header row: login, name, year group). A bad row changes nothing and names its line.
 */
export async function importPupilsCommand(
  config: ConsoleConfig,
  opts: { schoolId: string; csvPath: string },
  now = new Date(),
): Promise<ImportPupilsResult> {
  let text: string;
  try {
    text = fs.readFileSync(opts.csvPath, 'utf8');
  } catch (err) {
    throw new ImportPupilsError(`Cannot read ${opts.csvPath}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const database = await openConsoleDatabase(config);
  try {
    const repos = repositoriesFor(database);
    const school = await repos.schools.byId(opts.schoolId);
    if (!school) throw new ImportPupilsError(`No school with id ${opts.schoolId}`);
    const audit = (outcome: 'success' | 'failure', details: Record<string, string | number | null>) =>
      repos.audit.append(
        {
          action: 'pupils.import',
          outcome,
          actorUserId: CLI_ACTOR.userId,
          actorLabel: CLI_ACTOR.label,
          organisationId: school.organisationId,
          schoolId: school.id,
          targetId: school.id,
          ip: null,
          details: { format: 'csv', ...details },
        },
        now,
      );
    let pupils;
    try {
      pupils = pupilsFromCsv(text);
    } catch (err) {
      if (!(err instanceof PupilDirectoryError)) throw err;
      await audit('failure', { line: err.line ?? null });
      throw new ImportPupilsError(`${opts.csvPath}: ${err.message}; the pupil directory was not changed`);
    }
    const { before, after } = await new PupilsRepository(database.kysely).replace(school.id, pupils, now);
    await audit('success', { before, after });
    return { schoolId: school.id, before, count: after };
  } finally {
    await database.close();
  }
}
