#!/bin/sh
exec /opt/vigil-agent/node/bin/node /opt/vigil-agent/lib/session.js vigil-agent-session "$@"
