#!/bin/sh
# The agent's command line (enrol, run, status, test-capture) with the bundled Node runtime.
exec /opt/vigil-agent/node/bin/node /opt/vigil-agent/app/node_modules/@vigil/agent/dist/cli.js "$@"
