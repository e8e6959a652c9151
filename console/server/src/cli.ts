#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type ConsoleConfig } from './config';
import { openConsoleDatabase } from './db/database';
import { repositoriesFor, type Repositories } from './plugins/storage.plugin';
import { withBlobStore } from './blob-store/open-blob-store';
import { BlobFileExport, exportName } from './blob-store/export-files';
import { startServer } from './server';
import { ROLES, type Role } from './repositories/users.repository';
import { SecretBox } from './services/secret-box';
import { createAccount, resetPassword } from './services/user-accounts.service';
import { SendSummariesError, sendSummariesCommand } from './summary/send-summaries.command';
import { SummarySettingsError, summarySettingsCommand } from './summary/summary-settings.command';
import { ImportPupilsError, importPupilsCommand } from './summary/import-pupils.command';
import { revokeDevice, rotateEnrolmentToken } from './services/school-admin.service';
import { purgeExpiredCaptures } from './services/retention.service';
import { systemClock } from './clock';
import { SubjectAccessError, subjectAccessCommand } from './services/subject-access.command';

const HELP = `Vigil console

Usage: npm run console -- <command> [options]
       (add -s after "npm run" when a script reads --json output: npm run -s console -- ...)

Commands:
  serve                                   start the console (PORT, VIGIL_DATA_DIR, VIGIL_PUBLIC_URL)
  create-school --name NAME [--json]      make a school; prints its id and enrolment token
  list-schools [--json]                   every school with its enrolment token
  create-user --email E --role R [--school ID] [--json]
                                          make a user; prints a one-time password and, for roles
                                          that see captures, the TOTP secret for their authenticator app
                                          roles: ${ROLES.join(', ')}
  reset-password --email E [--new-totp] [--json]
                                          a new one-time password (ends the user's sessions, lifts a
                                          lockout); --new-totp also replaces the TOTP secret
  list-devices --school ID [--json]       enrolled devices and when each last reported
  export-captures --school ID [--since ISO] [--out DIR] [--json]
                                          every capture of a school, with the screenshot's file path
                                          (on S3, or with --out, the screenshots are fetched into DIR
                                          or a new private temp folder)
  subject-access --school ID --pupil USER [--out FILE]
                                          everything held about one pupil (captures with history,
                                          notes and screenshots; devices) as JSON, to FILE (0600) or stdout
  rotate-token --school ID [--json]       a new enrolment token for the school; the old one stops working
  revoke-device --device ID [--json]      revoke a device: its uploads and heartbeats are refused
  purge [--school ID] [--dry-run] [--json]
                                          run the retention purge now (captures older than the school's
                                          retention, except escalated or on hold); --dry-run only counts
  send-summaries [--school ID] [--week YYYY-Www] [--dry-run] [--json]
                                          build and email the weekly headline summaries now (each
                                          school's last due week by default; a week already sent is
                                          not sent again); --dry-run prints them and sends nothing
  summary-settings --school ID [--time HH:MM] [--alert-severity 1-5] [--daily-digest on|off]
                   [--names on|off] [--summary-roles ROLES] [--alert-roles ROLES]
                   [--summary-extra EMAILS] [--alert-extra EMAILS] [--json]
                                          show or change a school's summary and alert settings: the
                                          Monday time of the weekly summary (Europe/London), the
                                          severity that emails DSLs at once, the daily digest of
                                          severity 3, pupils by name instead of initials, and who
                                          receives them: ROLES and EMAILS are comma-separated
                                          (roles: head, dsl, deputy_dsl, school_admin; at most 20
                                          extra addresses; "" clears a list); a list left with
                                          nobody to email is refused
  import-pupils --school ID --csv FILE [--json]
                                          replace the school's pupil directory (header row: login,
                                          name, year group), so summaries and alerts show "J.S., Year 9";
                                          a bad row changes nothing and names its line
  help                                    this text

Environment: VIGIL_DATA_DIR (default ./data), PORT (default 8080), VIGIL_PUBLIC_URL,
VIGIL_LOG_LEVEL, VIGIL_NOT_REPORTING_MINUTES, VIGIL_SMTP_URL (or VIGIL_SMTP_HOST, _PORT, _USER,
_PASSWORD, _TLS), VIGIL_SMTP_FROM; screenshots on S3: VIGIL_S3_BUCKET, VIGIL_S3_ENDPOINT,
VIGIL_S3_REGION, VIGIL_S3_ACCESS_KEY_ID, VIGIL_S3_SECRET_ACCESS_KEY (see the console README).
`;

class UsageError extends Error {}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** Runs `fn` over the repositories of the configured database (SQLite or PostgreSQL), then closes it. */
async function withRepos<T>(config: ConsoleConfig, fn: (repos: Repositories) => Promise<T>): Promise<T> {
  const database = await openConsoleDatabase(config);
  try {
    return await fn(repositoriesFor(database));
  } finally {
    await database.close();
  }
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

async function serve(config: ConsoleConfig): Promise<void> {
  const { app, url, firstRun } = await startServer(config);
  if (firstRun) {
    process.stdout.write(
      [
        '',
        'Vigil console: first start.',
        `  Console:            ${config.publicUrl}   (listening on ${url})`,
        `  School:             ${firstRun.school.name} (${firstRun.school.id})`,
        `  Admin sign-in:      ${firstRun.adminEmail}`,
        `  One-time password:  ${firstRun.adminPassword}   (shown once; change it at first sign-in)`,
        `  TOTP secret:        ${firstRun.adminTotpSecret}   (add it to an authenticator app; shown once)`,
        `  Enrolment token:    ${firstRun.school.enrolmentToken}`,
        '',
        'Enrol a device:',
        `  npm run agent -- enrol --console ${config.publicUrl} --token ${firstRun.school.enrolmentToken}`,
        '',
      ].join('\n'),
    );
  } else {
    process.stdout.write(`Vigil console listening on ${url}\n`);
  }
  const stop = async (): Promise<void> => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      school: { type: 'string' },
      since: { type: 'string' },
      week: { type: 'string' },
      time: { type: 'string' },
      'alert-severity': { type: 'string' },
      'daily-digest': { type: 'string' },
      names: { type: 'string' },
      'summary-roles': { type: 'string' },
      'alert-roles': { type: 'string' },
      'summary-extra': { type: 'string' },
      'alert-extra': { type: 'string' },
      device: { type: 'string' },
      pupil: { type: 'string' },
      out: { type: 'string' },
      csv: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'new-totp': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const json = values.json ?? false;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      await serve(config);
      return 0;
    case 'create-school': {
      const name = required(values.name, '--name').trim();
      if (name.length === 0 || name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
      const school = await withRepos(config, async (repos) => await repos.schools.create(name, new Date()));
      print(
        json,
        { id: school.id, name: school.name, enrolmentToken: school.enrolmentToken },
        `School "${school.name}" created.\n  id:              ${school.id}\n  enrolment token: ${school.enrolmentToken}`,
      );
      return 0;
    }
    case 'list-schools': {
      const schools = await withRepos(config, async (repos) => await repos.schools.list());
      print(
        json,
        schools.map((s) => ({ id: s.id, name: s.name, enrolmentToken: s.enrolmentToken })),
        schools.map((s) => `${s.id}  ${s.name}  token ${s.enrolmentToken}`).join('\n') || 'No schools yet.',
      );
      return 0;
    }
    case 'create-user': {
      const email = required(values.email, '--email');
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError(`--email "${email}" is not an email address`);
      const role = required(values.role, '--role') as Role;
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const secrets = SecretBox.open(config.secretKeyPath);
      const account = await withRepos(config, async (repos) => {
        if (await repos.users.byEmail(email)) throw new UsageError(`A user with email ${email} already exists`);
        const now = new Date();
        if (role === 'org_admin') {
          const organisationId = values.school
            ? (await repos.schools.byId(values.school))?.organisationId
            : await repos.schools.defaultOrganisationId(now);
          if (!organisationId) throw new UsageError(`No school with id ${values.school}`);
          return createAccount(repos, secrets, { email, grants: [{ role, organisationId }] }, now);
        }
        const schoolId = required(values.school, '--school');
        if (!(await repos.schools.byId(schoolId))) throw new UsageError(`No school with id ${schoolId}`);
        return createAccount(repos, secrets, { email, grants: [{ role, schoolId }] }, now);
      });
      const { user, password, totpSecret } = account;
      print(
        json,
        { id: user.id, email: user.email, password, totpSecret },
        [
          `User ${user.email} created (${role}).`,
          `  one-time password: ${password}`,
          ...(totpSecret ? [`  TOTP secret:       ${totpSecret}   (add it to an authenticator app; shown once)`] : []),
        ].join('\n'),
      );
      return 0;
    }
    case 'reset-password': {
      const email = required(values.email, '--email');
      const secrets = SecretBox.open(config.secretKeyPath);
      const result = await withRepos(config, async (repos) => {
        const user = await repos.users.byEmail(email);
        if (!user) throw new UsageError(`No user with email ${email}`);
        return { user, ...(await resetPassword(repos, secrets, user, new Date(), { newTotp: values['new-totp'] })) };
      });
      print(
        json,
        { id: result.user.id, email: result.user.email, password: result.password, totpSecret: result.totpSecret },
        [
          `Password of ${result.user.email} reset; their sessions are ended.`,
          `  one-time password: ${result.password}`,
          ...(result.totpSecret ? [`  TOTP secret:       ${result.totpSecret}   (shown once)`] : []),
        ].join('\n'),
      );
      return 0;
    }
    case 'list-devices': {
      const schoolId = required(values.school, '--school');
      const now = Date.now();
      const devices = await withRepos(config, async (repos) => {
        if (!(await repos.schools.byId(schoolId))) throw new UsageError(`No school with id ${schoolId}`);
        return await repos.devices.listBySchool(schoolId);
      });
      const rows = devices.map((d) => ({
        id: d.id,
        hostname: d.hostname,
        os: d.os,
        agentVersion: d.agentVersion,
        policyVersion: d.policyVersion,
        queueDepth: d.queueDepth,
        user: d.lastUser,
        lastSeenAt: d.lastSeenAt,
        revoked: d.revokedAt !== null,
        reporting: d.lastSeenAt !== null && now - Date.parse(d.lastSeenAt) < config.notReportingMinutes * 60_000,
      }));
      print(
        json,
        rows,
        rows
          .map(
            (r) =>
              `${r.id}  ${r.hostname}  last seen ${r.lastSeenAt ?? 'never'}${r.reporting ? '' : '  NOT REPORTING'}`,
          )
          .join('\n') || 'No devices enrolled.',
      );
      return 0;
    }
    case 'export-captures': {
      const schoolId = required(values.school, '--school');
      let since: string | undefined;
      if (values.since !== undefined) {
        const t = Date.parse(values.since);
        if (Number.isNaN(t)) throw new UsageError(`--since "${values.since}" is not an ISO 8601 date or time`);
        since = new Date(t).toISOString();
      }
      const captures = await withRepos(config, async (repos) => {
        if (!(await repos.schools.byId(schoolId))) throw new UsageError(`No school with id ${schoolId}`);
        return await repos.captures.listBySchool(schoolId, since);
      });
      const exported = await withBlobStore(config, async (blobs) => {
        // On S3 (no local files) or with --out, the screenshots are fetched into a private folder.
        const files = await BlobFileExport.open(blobs, values.out);
        if (files.dir) process.stderr.write(`Screenshots are written to ${files.dir} (readable by you only)\n`);
        const rows = [];
        for (const c of captures) {
          rows.push({
            id: c.id,
            capturedAt: c.capturedAt,
            deviceId: c.deviceId,
            user: c.user,
            source: c.source,
            app: c.app,
            windowTitle: c.windowTitle,
            url: c.url,
            matches: c.matches,
            context: c.context,
            severity: c.severity,
            count: c.count,
            policyVersion: c.policyVersion,
            receivedAt: c.receivedAt,
            status: c.status,
            screenshotPath: await files.file(c.screenshot.key, exportName(c.screenshot.key)),
            thumbnailPath: c.thumbnailKey ? await files.file(c.thumbnailKey, exportName(c.thumbnailKey)) : null,
          });
        }
        return rows;
      });
      print(
        json,
        exported,
        exported
          .map(
            (c) =>
              `${c.capturedAt}  severity ${c.severity}  ${c.matches.map((m) => m.category).join(', ')}  ${c.screenshotPath}`,
          )
          .join('\n') || 'No captures.',
      );
      return 0;
    }
    case 'rotate-token': {
      const schoolId = required(values.school, '--school');
      const token = await withRepos(config, async (repos) => {
        if (!(await repos.schools.byId(schoolId))) throw new UsageError(`No school with id ${schoolId}`);
        return await rotateEnrolmentToken(repos, schoolId, new Date());
      });
      print(
        json,
        { id: schoolId, enrolmentToken: token },
        `New enrolment token for ${schoolId}: ${token}\n  (the old token no longer works; enrolled devices are unaffected)`,
      );
      return 0;
    }
    case 'revoke-device': {
      const deviceId = required(values.device, '--device');
      const device = await withRepos(config, async (repos) => {
        const found = await repos.devices.byId(deviceId);
        if (!found) throw new UsageError(`No device with id ${deviceId}`);
        return await revokeDevice(repos, found, new Date());
      });
      print(
        json,
        { id: device.id, hostname: device.hostname, schoolId: device.schoolId, revokedAt: device.revokedAt },
        `Device ${device.id} (${device.hostname}) revoked at ${device.revokedAt ?? ''}.`,
      );
      return 0;
    }
    case 'subject-access':
      try {
        return await subjectAccessCommand(config, {
          schoolId: required(values.school, '--school'),
          pupil: required(values.pupil, '--pupil'),
          out: values.out,
        });
      } catch (err) {
        throw err instanceof SubjectAccessError ? new UsageError(err.message) : err;
      }
    case 'purge': {
      const result = await withRepos(config, async (repos) => {
        if (values.school !== undefined && !(await repos.schools.byId(values.school))) {
          throw new UsageError(`No school with id ${values.school}`);
        }
        return withBlobStore(config, (blobs) =>
          purgeExpiredCaptures(repos, blobs, systemClock, {
            schoolId: values.school,
            dryRun: values['dry-run'],
          }),
        );
      });
      print(
        json,
        result,
        result.schools
          .map(
            (s) =>
              `${s.schoolId}  retention ${s.retentionDays} days  ${result.dryRun ? 'would delete' : 'deleted'} ${s.captureIds.length}`,
          )
          .join('\n') || 'No schools.',
      );
      return 0;
    }
    case 'summary-settings': {
      const schoolId = required(values.school, '--school');
      let settings;
      try {
        settings = await summarySettingsCommand(config, {
          schoolId,
          time: values.time,
          alertSeverity: values['alert-severity'],
          dailyDigest: values['daily-digest'],
          names: values.names,
          summaryRoles: values['summary-roles'],
          alertRoles: values['alert-roles'],
          summaryExtra: values['summary-extra'],
          alertExtra: values['alert-extra'],
        });
      } catch (err) {
        throw err instanceof SummarySettingsError ? new UsageError(err.message) : err;
      }
      print(
        json,
        settings,
        [
          `Summary settings of ${schoolId}:`,
          `  weekly summary:  Mondays at ${settings.summaryTime} (Europe/London)`,
          `    to roles:      ${settings.summaryRoles.join(', ') || 'none'}`,
          `    extra:         ${settings.summaryExtraEmails.join(', ') || 'none'}`,
          `    recipients:    ${settings.summaryRecipients.map((r) => `${r.email} (${r.role})`).join(', ') || 'nobody'}`,
          `  alert severity:  ${settings.alertSeverity} and above email the alert recipients at once`,
          `    to roles:      ${settings.alertRoles.join(', ') || 'none'}`,
          `    extra:         ${settings.alertExtraEmails.join(', ') || 'none'}`,
          `    recipients:    ${settings.alertRecipients.map((r) => `${r.email} (${r.role})`).join(', ') || 'nobody'}`,
          `  daily digest:    ${settings.dailyDigest ? 'on' : 'off'}`,
          `  pupils shown by: ${settings.showNames ? 'name (login name when not in the directory)' : 'initials and year group'}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'import-pupils': {
      let result;
      try {
        result = await importPupilsCommand(config, {
          schoolId: required(values.school, '--school'),
          csvPath: required(values.csv, '--csv'),
        });
      } catch (err) {
        throw err instanceof ImportPupilsError ? new UsageError(err.message) : err;
      }
      print(
        json,
        result,
        `Pupil directory of ${result.schoolId} replaced: ${result.count} ${result.count === 1 ? 'pupil' : 'pupils'} (${result.before} before).`,
      );
      return 0;
    }
    case 'send-summaries': {
      const rows = await sendSummariesCommand(config, {
        schoolId: values.school,
        week: values.week,
        dryRun: values['dry-run'],
      }).catch((err: unknown) => {
        throw err instanceof SendSummariesError ? new UsageError(err.message) : err;
      });
      print(
        json,
        rows,
        rows
          .map((r) =>
            r.text !== undefined
              ? `${r.text}\n(dry run: not stored, not sent; recipients: ${r.recipients.join(', ') || 'none'})\n`
              : `${r.schoolId}  ${r.week}  summary ${r.summary}  email ${r.send}  (${r.recipients.length} ${r.recipients.length === 1 ? 'recipient' : 'recipients'})`,
          )
          .join('\n') || 'No schools.',
      );
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}". Run "npm run console -- help".`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: unknown) => {
      if (
        err instanceof UsageError ||
        err instanceof ConfigError ||
        (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(2);
      }
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
