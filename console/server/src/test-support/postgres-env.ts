// setupFiles of the "console-server (PostgreSQL)" project: the harness builds every app on PostgreSQL.
process.env.VIGIL_TEST_DB = 'postgres';
