import path from 'node:path';
import type { ConsoleConfig } from '../config';
import { openConsoleDatabase } from '../db/database';
import { repositoriesFor } from '../plugins/storage.plugin';
import { withBlobStore } from '../blob-store/open-blob-store';
import { CLI_ACTOR } from './user-accounts.service';
import { auditSubjectAccess, buildSubjectAccess, writePrivateFile } from './subject-access.service';

/** A problem with the command's input (exit code 2). */
export class SubjectAccessError extends Error {}

/**
 * `subject-access --school ID --pupil USER [--out FILE]`: the same export as the dashboard's, to a
 * file readable by its owner only (or stdout), audited with the CLI as the actor.
 */
export async function subjectAccessCommand(
  config: ConsoleConfig,
  input: { schoolId: string; pupil: string; out?: string },
): Promise<number> {
  const pupil = input.pupil.trim();
  if (pupil.length === 0 || pupil.length > 200) throw new SubjectAccessError('--pupil must be 1 to 200 characters');
  const database = await openConsoleDatabase(config);
  try {
    const repos = repositoriesFor(database);
    const school = await repos.schools.byId(input.schoolId);
    if (!school) throw new SubjectAccessError(`No school with id ${input.schoolId}`);
    const now = new Date();
    const result = await withBlobStore(config, (blobs) =>
      buildSubjectAccess(database.kysely, repos, blobs, school, pupil, now),
    );
    const text = `${JSON.stringify(result.document, null, 2)}\n`;
    if (input.out) {
      const file = path.resolve(input.out);
      writePrivateFile(file, text);
      process.stderr.write(
        `Wrote ${result.captures} captures and ${result.devices} devices of ${pupil} at ${school.name} to ${file}\n`,
      );
    } else {
      process.stdout.write(text);
    }
    await auditSubjectAccess(repos, school, pupil, result, CLI_ACTOR, now);
    return 0;
  } finally {
    await database.close();
  }
}
