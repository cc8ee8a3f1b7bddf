#!/bin/sh
# comandia-admin as the service runs it: as the comandia user, with the service's environment
# (COMANDIA_HOME, the database URL, ...), so it always sees the server's data.
# Installed as /usr/bin/comandia-admin by installer/install.sh.
set -eu
ENV_FILE=/etc/comandia/comandia.env
VENV=/opt/comandia/current/venv
RUN_AS=@RUN_AS@
if [ -n "$RUN_AS" ] && [ "$(id -un)" != "$RUN_AS" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "comandia-admin: ejecútelo como root o como $RUN_AS (sudo comandia-admin ...) / run it as root or $RUN_AS" >&2
        exit 1
    fi
    exec runuser -u "$RUN_AS" -- "$0" "$@"
fi
set -a
# shellcheck source=/dev/null # written by install.sh
. "$ENV_FILE"
set +a
exec "$VENV/bin/comandia-admin" "$@"
