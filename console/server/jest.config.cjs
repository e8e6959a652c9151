const fs = require('node:fs');
const path = require('node:path');
const preset = require('../../jest.preset.cjs');

const { testTimeout, ...project } = preset;

/**
 * Route suites run a second time with every app on PostgreSQL (the harness reads VIGIL_TEST_DB):
 * one throwaway cluster for the whole run, a fresh database per harness. Suites that look inside
 * the database do it through Kysely (test-support/harness.ts: sqlAll/sqlGet), so they run on both.
 */
const ON_POSTGRES = [
  'src/routes/agent/agent-api.test.ts',
  'src/routes/dashboard/auth.test.ts',
  'src/routes/dashboard/capture-groups.test.ts',
  'src/routes/dashboard/captures.test.ts',
  'src/routes/dashboard/devices.test.ts',
  'src/routes/dashboard/export.test.ts',
  'src/routes/dashboard/lists-isolation.test.ts',
  'src/routes/dashboard/lists.test.ts',
  'src/routes/dashboard/overview.test.ts',
  'src/routes/dashboard/people-tenant-isolation.test.ts',
  'src/routes/dashboard/review-extras.test.ts',
  'src/routes/dashboard/reviewers.test.ts',
  'src/routes/dashboard/sign-in-steps.test.ts',
  'src/routes/dashboard/subject-access.test.ts',
  'src/routes/dashboard/tenant-isolation.test.ts',
  'src/routes/dashboard/users.test.ts',
  'src/plugins/live.plugin.test.ts',
  'src/plugins/live-sign-in-steps.test.ts',
  'src/plugins/session-purge.plugin.test.ts',
  'src/services/retention.service.test.ts',
  'src/summary/pupils.route.test.ts',
  'src/summary/send-summaries.command.test.ts',
  'src/summary/summary-email.test.ts',
  'src/summary/summary-lists.test.ts',
  'src/summary/summary-recipients.test.ts',
];

const pgInstalled =
  fs.existsSync('/usr/lib/postgresql') &&
  fs
    .readdirSync('/usr/lib/postgresql')
    .some((v) => fs.existsSync(path.join('/usr/lib/postgresql', v, 'bin', 'initdb')));
if (!pgInstalled) {
  console.warn(
    'PostgreSQL binaries not found (/usr/lib/postgresql/*/bin): the PostgreSQL pass of the route tests is skipped',
  );
}

module.exports = {
  testTimeout,
  projects: [
    { ...project, rootDir: __dirname, displayName: 'console-server' },
    ...(pgInstalled
      ? [
          {
            ...project,
            rootDir: __dirname,
            displayName: 'console-server (PostgreSQL)',
            testMatch: ON_POSTGRES.map((f) => `<rootDir>/${f}`),
            setupFiles: ['<rootDir>/src/test-support/postgres-env.ts'],
            globalSetup: '<rootDir>/src/test-support/postgres-global-setup.ts',
            globalTeardown: '<rootDir>/src/test-support/postgres-global-teardown.ts',
          },
        ]
      : []),
  ],
};
