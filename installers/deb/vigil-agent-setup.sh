#!/bin/sh
exec /opt/vigil-agent/node/bin/node /opt/vigil-agent/lib/setup.js "$@"
