#!/usr/bin/env bash
# shellcheck disable=SC2034 # the message tables (ES, EN) are read through a nameref in say()
# COMANDIA appliance installer for Debian and Ubuntu. See docs/install.md (docs/es/instalacion.md).
#
#   installer/install.sh install   [--domain NAME [--email ADDR]] [--database-url URL] ...
#   installer/install.sh upgrade   [--wheel FILE]
#   installer/install.sh uninstall [--purge]
#   installer/install.sh status
#
# Run as root from a checkout (the wheel is built from it) or with --wheel. Every step is
# idempotent: rerunning `install` with the same options changes nothing. `--root DIR` installs
# into a scratch tree instead of / (no root, no apt, no systemctl, no users): every path the
# installer writes, inside files too, is then under DIR, so the tree works as it stands; the
# tests use it.
#
# Layout:  /opt/comandia/releases/<version>/venv   one virtualenv per installed version
#          /opt/comandia/current -> releases/<v>    the version the service runs
#          /usr/bin/comandia-admin                  wrapper: user comandia, the service's env
#          /etc/comandia/comandia.env               0640 root:comandia (no admin password)
#          /var/lib/comandia                        COMANDIA_HOME (data, backups), 0750 comandia
#          /etc/systemd/system/comandia.service, comandia-backup.{service,timer}
#          /etc/nginx/sites-{available,enabled}/comandia.conf   with --domain
set -euo pipefail
# The service's user reads what root installs here, whatever root's own umask (some hardened
# systems use 077); private files get their mode explicitly.
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=$(cd "$HERE/.." && pwd)

# --- Messages: Spanish first, English when LANG/LC_ALL/LC_MESSAGES start with "en". -------------
declare -A ES EN
ES[usage]='uso: install.sh {install|upgrade|uninstall|status} [--root DIR] [--domain NOMBRE] [--email CORREO] [--database-url URL] [--wheel ARCHIVO] [--certificate PEM --certificate-key PEM] [--port N] [--http-port N] [--https-port N] [--purge] [--yes]'
EN[usage]='usage: install.sh {install|upgrade|uninstall|status} [--root DIR] [--domain NAME] [--email ADDR] [--database-url URL] [--wheel FILE] [--certificate PEM --certificate-key PEM] [--port N] [--http-port N] [--https-port N] [--purge] [--yes]'
ES[unknown_option]='opción desconocida: %s'
EN[unknown_option]='unknown option: %s'
ES[missing_value]='falta el valor de %s'
EN[missing_value]='%s needs a value'
ES[bad_command]='orden desconocida: %s (install, upgrade, uninstall o status)'
EN[bad_command]='unknown command: %s (install, upgrade, uninstall or status)'
ES[not_root]='ejecute el instalador como root (sudo), o con --root DIR para un árbol de prueba'
EN[not_root]='run the installer as root (sudo), or with --root DIR for a scratch tree'
ES[not_debian]='este instalador es para Debian o Ubuntu (no se encontró /etc/debian_version)'
EN[not_debian]='this installer is for Debian or Ubuntu (/etc/debian_version not found)'
ES[no_python]='se necesita Python 3.11 o posterior con venv (apt-get install python3 python3-venv); se encontró: %s'
EN[no_python]='Python 3.11 or later with venv is needed (apt-get install python3 python3-venv); found: %s'
ES[no_source]='no hay de dónde instalar: %s no es una copia de COMANDIA (pyproject.toml) y no se dio --wheel'
EN[no_source]='nothing to install from: %s is not a COMANDIA checkout (pyproject.toml) and no --wheel was given'
ES[no_wheel]='no existe el paquete %s'
EN[no_wheel]='no such wheel: %s'
ES[bad_domain]='nombre de dominio no válido: %s (ejemplo: comandia.ejemplo.com)'
EN[bad_domain]='not a valid domain name: %s (example: comandia.example.com)'
ES[bad_url]='URL de base de datos no válida: %s (postgresql://usuario:clave@servidor:5432/postgres)'
EN[bad_url]='not a valid database URL: %s (postgresql://user:password@host:5432/postgres)'
ES[bad_port]='puerto no válido para %s: %s'
EN[bad_port]='not a valid port for %s: %s'
ES[bad_email]='correo no válido: %s'
EN[bad_email]='not a valid email address: %s'
ES[cert_pair]='--certificate y --certificate-key van juntos, y solo con --domain'
EN[cert_pair]='--certificate and --certificate-key go together, and only with --domain'
ES[no_cert_file]='no existe el archivo del certificado: %s'
EN[no_cert_file]='no such certificate file: %s'
ES[quote]='el valor de %s no puede contener comillas simples ni saltos de línea'
EN[quote]='the value of %s cannot contain single quotes or line breaks'
ES[not_installed]='COMANDIA no está instalado en %s (ejecute primero install)'
EN[not_installed]='COMANDIA is not installed under %s (run install first)'
ES[root_missing]='el directorio de --root no existe: %s'
EN[root_missing]='the --root directory does not exist: %s'
ES[purge_confirm]='--purge borra los datos de todos los negocios: agregue --yes para confirmarlo'
EN[purge_confirm]='--purge deletes every business'"'"'s data: add --yes to confirm'
ES[failed]='la instalación falló en el paso "%s"; se deshizo lo que este intento había creado. Corrija y vuelva a ejecutar.'
EN[failed]='the installation failed at step "%s"; what this attempt created was removed. Fix it and run again.'
ES[step]='· %s'
EN[step]='· %s'
ES[building]='construyendo el paquete desde %s'
EN[building]='building the wheel from %s'
ES[venv]='instalando COMANDIA %s en %s'
EN[venv]='installing COMANDIA %s into %s'
ES[apt]='instalando paquetes del sistema: %s'
EN[apt]='installing system packages: %s'
ES[pg_role]='PostgreSQL local: rol comandia y su contraseña'
EN[pg_role]='local PostgreSQL: the comandia role and its password'
ES[certbot]='certificado de Let'"'"'s Encrypt para %s'
EN[certbot]='Let'"'"'s Encrypt certificate for %s'
ES[installed]='COMANDIA %s instalado. Servicio: %s. Datos: %s. Primer ingreso: usuario admin, contraseña en %s'
EN[installed]='COMANDIA %s installed. Service: %s. Data: %s. First login: user admin, password in %s'
ES[already]='COMANDIA %s ya es la versión en uso; nada que actualizar'
EN[already]='COMANDIA %s is already the version in use; nothing to upgrade'
ES[backup]='respaldo previo a la actualización (todos los negocios y la base de control)'
EN[backup]='pre-upgrade backup (every tenant and the control database)'
ES[backup_failed]='el respaldo previo falló: no se actualizó nada; sigue en uso COMANDIA %s'
EN[backup_failed]='the pre-upgrade backup failed: nothing was upgraded; COMANDIA %s is still in use'
ES[migrating]='migrando la base de control y cada negocio a %s'
EN[migrating]='migrating the control database and every tenant to %s'
ES[migrate_failed]='la migración a %s falló: sigue en servicio COMANDIA %s. Revisión de cada negocio (negocio, revisión, estado, nombre):'
EN[migrate_failed]='the migration to %s failed: COMANDIA %s keeps serving. Each tenant'"'"'s revision (tenant, revision, state, name):'
ES[migrate_howto]='Para terminar: corrija la causa y ejecute de nuevo "install.sh upgrade" (los negocios ya migrados no se repiten). Para volver atrás un negocio: comandia-admin backup restore NEGOCIO --yes (respaldo de hace un momento).'
EN[migrate_howto]='To finish: fix the cause and run "install.sh upgrade" again (tenants already migrated are skipped). To roll a tenant back: comandia-admin backup restore TENANT --yes (the backup just taken).'
ES[migrate_log]='detalles de la migración: %s'
EN[migrate_log]='the migration'"'"'s details: %s'
ES[upgraded]='COMANDIA actualizado de %s a %s'
EN[upgraded]='COMANDIA upgraded from %s to %s'
ES[uninstalled]='COMANDIA desinstalado; los datos siguen en %s y la configuración en %s (use --purge --yes para borrarlos)'
EN[uninstalled]='COMANDIA uninstalled; the data stays in %s and the configuration in %s (use --purge --yes to delete them)'
ES[purged]='COMANDIA desinstalado y sus datos borrados'
EN[purged]='COMANDIA uninstalled and its data deleted'
ES[backup_twice]='COMANDIA_BACKUP_TIME quitado de %s: el temporizador comandia-backup.timer es el único horario de respaldo'
EN[backup_twice]='COMANDIA_BACKUP_TIME removed from %s: comandia-backup.timer is the one backup schedule'

case "${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}" in
    en*) LANGUAGE_TABLE=EN ;;
    *) LANGUAGE_TABLE=ES ;;
esac
# comandia-admin, run by the installer, speaks the installer's language.
if [[ $LANGUAGE_TABLE == EN ]]; then export COMANDIA_LANGUAGE=en; else export COMANDIA_LANGUAGE=es; fi

# say KEY [ARGS...]: the message in the operator's language, formatted with ARGS.
say() {
    local -n table=$LANGUAGE_TABLE
    local key=$1
    shift
    # shellcheck disable=SC2059 # the format comes from the tables above
    printf -- "${table[$key]}\n" "$@"
}

die() {  # one clear line on stderr, exit 1
    say "$@" >&2
    exit 1
}

usage_error() {
    say "$@" >&2
    say usage >&2
    exit 2
}

# --- Arguments --------------------------------------------------------------------------------
COMMAND=${1:-}
[[ -n $COMMAND ]] || usage_error usage
shift
case $COMMAND in
    install | upgrade | uninstall | status) ;;
    -h | --help) say usage; exit 0 ;;
    *) usage_error bad_command "$COMMAND" ;;
esac

ROOT="" DOMAIN="" EMAIL="" DATABASE_URL="" WHEEL="" CERTIFICATE="" CERTIFICATE_KEY=""
PORT=8080 HTTP_PORT=80 HTTPS_PORT=443 PURGE=0 YES=0 PYTHON=${PYTHON:-python3}
while (($#)); do
    option=$1
    case $option in
        --root | --domain | --email | --database-url | --wheel | --certificate | --certificate-key | --port | --http-port | --https-port | --python)
            (($# >= 2)) || usage_error missing_value "$option"
            value=$2
            shift 2
            case $option in
                --root) ROOT=$value ;;
                --domain) DOMAIN=$value ;;
                --email) EMAIL=$value ;;
                --database-url) DATABASE_URL=$value ;;
                --wheel) WHEEL=$value ;;
                --certificate) CERTIFICATE=$value ;;
                --certificate-key) CERTIFICATE_KEY=$value ;;
                --port) PORT=$value ;;
                --http-port) HTTP_PORT=$value ;;
                --https-port) HTTPS_PORT=$value ;;
                --python) PYTHON=$value ;;
            esac
            ;;
        --purge) PURGE=1; shift ;;
        --yes) YES=1; shift ;;
        -h | --help) say usage; exit 0 ;;
        *) usage_error unknown_option "$option" ;;
    esac
done

# --- Checks: all of them before anything is changed --------------------------------------------
is_port() { [[ $1 =~ ^[0-9]{1,5}$ ]] && (($1 >= 1 && $1 <= 65535)); }
for pair in "--port:$PORT" "--http-port:$HTTP_PORT" "--https-port:$HTTPS_PORT"; do
    is_port "${pair#*:}" || usage_error bad_port "${pair%%:*}" "${pair#*:}"
done
if [[ -n $ROOT ]]; then
    [[ -d $ROOT ]] || die root_missing "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
    [[ $ROOT != / ]] || ROOT=""
fi
SCRATCH=0
[[ -z $ROOT ]] || SCRATCH=1
if [[ -n $DOMAIN ]]; then
    [[ $DOMAIN =~ ^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$ ]] || usage_error bad_domain "$DOMAIN"
fi
if [[ -n $EMAIL ]]; then
    [[ $EMAIL =~ ^[^@[:space:]\']+@[^@[:space:]\']+\.[^@[:space:]\']+$ ]] || usage_error bad_email "$EMAIL"
fi
if [[ -n $DATABASE_URL ]]; then
    [[ $DATABASE_URL =~ ^postgres(ql)?(\+psycopg)?://[^[:space:]]+$ ]] || usage_error bad_url "$DATABASE_URL"
    [[ $DATABASE_URL != *"'"* ]] || usage_error quote --database-url
fi
if [[ -n $CERTIFICATE || -n $CERTIFICATE_KEY ]]; then
    [[ -n $CERTIFICATE && -n $CERTIFICATE_KEY && -n $DOMAIN ]] || usage_error cert_pair
    for file in "$CERTIFICATE" "$CERTIFICATE_KEY"; do [[ -f $file ]] || die no_cert_file "$file"; done
    CERTIFICATE=$(realpath "$CERTIFICATE") CERTIFICATE_KEY=$(realpath "$CERTIFICATE_KEY")
fi
if [[ -n $WHEEL ]]; then
    [[ -f $WHEEL ]] || die no_wheel "$WHEEL"
    WHEEL=$(realpath "$WHEEL")
fi
if ((!SCRATCH)) && [[ $COMMAND != status ]]; then
    ((EUID == 0)) || die not_root
    [[ -f /etc/debian_version ]] || die not_debian
fi

# Target paths; with --root every one of them, and every path written into a file, is under ROOT.
OPT=$ROOT/opt/comandia
ETC=$ROOT/etc/comandia
ENV_FILE=$ETC/comandia.env
DATA=$ROOT/var/lib/comandia
UNITS=$ROOT/etc/systemd/system
WRAPPER=$ROOT/usr/bin/comandia-admin
SITE=$ROOT/etc/nginx/sites-available/comandia.conf
SITE_LINK=$ROOT/etc/nginx/sites-enabled/comandia.conf
ACME_ROOT=$ROOT/var/www/comandia-acme
LOG_DIR=$ROOT/var/log/nginx
SERVICE_USER=comandia

# relocate: the installer's files name the target paths; under --root they move with the tree.
relocate() {
    sed -e "s#/opt/comandia#$OPT#g" -e "s#/etc/comandia#$ETC#g" -e "s#/var/lib/comandia#$DATA#g" \
        -e "s#/usr/bin/comandia-admin#$WRAPPER#g"
}

run() {  # a system command; skipped in a scratch root
    ((SCRATCH)) || "$@"
}

# --- Undo on failure: what this attempt created is removed, so nothing stays half installed ---
CREATED=()
STEP=""
created() { CREATED+=("$1"); }
undo() {
    local status=$? index
    trap - EXIT
    cleanup_build
    if ((status != 0)) && [[ -n $STEP ]]; then
        for ((index = ${#CREATED[@]} - 1; index >= 0; index--)); do
            rm -rf -- "${CREATED[index]}"
        done
        say failed "$STEP" >&2
    fi
    exit "$status"
}
step() {
    STEP=$1
    say step "$1"
}

# write FILE MODE [OWNER] < content: replace FILE only when its content differs (idempotent).
write() {
    local file=$1 mode=$2 owner=${3:-} staged
    staged=$(mktemp "$(dirname "$file")/.install.XXXXXX")
    cat > "$staged"
    chmod "$mode" "$staged"
    if [[ -n $owner ]] && ((!SCRATCH)); then chown "$owner" "$staged"; fi
    if [[ -f $file ]] && cmp -s "$staged" "$file"; then
        rm -f "$staged"
        chmod "$mode" "$file"
    else
        [[ -e $file ]] || created "$file"
        mv -f "$staged" "$file"
    fi
}

make_dir() {  # make_dir DIR MODE [OWNER]
    local dir=$1 mode=$2 owner=${3:-}
    if [[ ! -d $dir ]]; then
        local top=$dir
        while [[ ! -d $(dirname "$top") ]]; do top=$(dirname "$top"); done
        mkdir -p "$dir"
        created "$top"
    fi
    chmod "$mode" "$dir"
    if [[ -n $owner ]] && ((!SCRATCH)); then chown "$owner" "$dir"; fi
}

check_python() {
    local found
    found=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || found="-"
    "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null ||
        die no_python "$PYTHON $found"
}

check_source() {
    [[ -n $WHEEL || -f $SOURCE/pyproject.toml ]] || die no_source "$SOURCE"
}

apt_install() {
    ((SCRATCH)) && return 0
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    say apt "${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" > /dev/null
}

# --- The release: wheel -> its own virtualenv in releases/<version> -----------------------------
BUILD=""
cleanup_build() { [[ -z $BUILD ]] || rm -rf -- "$BUILD"; }

# build_release: sets RELEASE_VERSION and RELEASE_DIR; an existing release of that version is kept.
build_release() {
    BUILD=$(mktemp -d "${TMPDIR:-/tmp}/comandia-install.XXXXXX")
    local wheel=$WHEEL
    if [[ -z $wheel ]]; then
        say building "$SOURCE"
        # From a clean copy: an in-tree build would leave build/ behind and could pick up stale files.
        mkdir "$BUILD/src"
        tar -C "$SOURCE" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist \
            --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C "$BUILD/src" -xf -
        "$PYTHON" -m venv "$BUILD/tools"
        "$BUILD/tools/bin/pip" wheel --quiet --no-deps --wheel-dir "$BUILD/dist" "$BUILD/src" > /dev/null
        wheel=$(echo "$BUILD"/dist/comandia-*.whl)
    fi
    RELEASE_VERSION=$(basename "$wheel" | cut -d- -f2)
    RELEASE_DIR=$OPT/releases/$RELEASE_VERSION
    if [[ -x $RELEASE_DIR/venv/bin/comandia-server ]]; then
        return 0
    fi
    say venv "$RELEASE_VERSION" "$RELEASE_DIR"
    make_dir "$OPT/releases" 0755
    created "$RELEASE_DIR"
    mkdir -p "$RELEASE_DIR"
    "$PYTHON" -m venv "$RELEASE_DIR/venv"
    # pip compiles the modules as it installs them, as root: the service cannot write here.
    "$RELEASE_DIR/venv/bin/pip" install --quiet "$wheel"
}

current_version() {
    [[ -L $OPT/current ]] && basename "$(readlink "$OPT/current")"
}

switch_current() {  # point `current` at releases/$1 (relative, so the tree can move)
    ln -sfn "releases/$1" "$OPT/current.new"
    mv -Tf "$OPT/current.new" "$OPT/current"
}

# --- Environment file ---------------------------------------------------------------------------
env_value() {  # env_value NAME: the value in the existing env file, unquoted
    [[ -f $ENV_FILE ]] || return 0
    sed -n "s/^$1='\\(.*\\)'\$/\\1/p; s/^$1=\\([^']*\\)\$/\\1/p" "$ENV_FILE" | tail -n 1
}

MANAGED_KEYS="COMANDIA_HOME COMANDIA_DATABASE_URL COMANDIA_HOST COMANDIA_PORT COMANDIA_PUBLIC_URL COMANDIA_TRUSTED_PROXIES"

write_env() {
    local url=$1 public_url="" proxies=""
    if [[ -n $DOMAIN ]]; then
        public_url="https://$DOMAIN"
        [[ $HTTPS_PORT == 443 ]] || public_url="$public_url:$HTTPS_PORT"
        proxies=127.0.0.1
    else
        public_url=$(env_value COMANDIA_PUBLIC_URL)
        proxies=$(env_value COMANDIA_TRUSTED_PROXIES)
    fi
    if [[ -n $(env_value COMANDIA_BACKUP_TIME) ]]; then say backup_twice "$ENV_FILE"; fi
    {
        echo "# COMANDIA's service environment, written by installer/install.sh: rerun it to change the first"
        echo "# six values; lines you add below them (COMANDIA_WORKERS=2, ...) are kept."
        echo "# Read by comandia.service, comandia-backup.service and /usr/bin/comandia-admin."
        echo "# The admin password is never kept here: see $DATA/initial-admin-password after the first start."
        echo "COMANDIA_HOME='$DATA'"
        echo "COMANDIA_DATABASE_URL='$url'"
        echo "COMANDIA_HOST='127.0.0.1'"
        echo "COMANDIA_PORT='$PORT'"
        echo "COMANDIA_PUBLIC_URL='$public_url'"
        echo "COMANDIA_TRUSTED_PROXIES='$proxies'"
        # Settings the operator added (COMANDIA_WORKERS, COMANDIA_CONNECTION_BUDGET, ...) stay.
        if [[ -f $ENV_FILE ]]; then
            grep -E '^[A-Z_][A-Z0-9_]*=' "$ENV_FILE" |
                grep -vE "^(${MANAGED_KEYS// /|}|COMANDIA_BACKUP_TIME)=" || true
        fi
    } | write "$ENV_FILE" 0640 "root:$SERVICE_USER"
}

# The local Debian PostgreSQL: a comandia role that creates the tenants' databases and roles.
# (It must be able to SET ROLE to the tenant roles it creates to migrate them: a superuser on
# PostgreSQL 15 and older.) Its password lives only in the env file.
local_database_url() {
    local existing password
    existing=$(env_value COMANDIA_DATABASE_URL)
    if [[ -n $existing ]]; then echo "$existing"; return 0; fi
    password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
    if ((!SCRATCH)); then
        say pg_role >&2
        systemctl enable --now postgresql > /dev/null 2>&1
        if runuser -u postgres -- psql -XAtqc "SELECT 1 FROM pg_roles WHERE rolname = 'comandia'" | grep -q 1; then
            runuser -u postgres -- psql -Xq -v ON_ERROR_STOP=1 -c "ALTER ROLE comandia WITH LOGIN SUPERUSER PASSWORD '$password'" > /dev/null
        else
            runuser -u postgres -- psql -Xq -v ON_ERROR_STOP=1 -c "CREATE ROLE comandia LOGIN SUPERUSER PASSWORD '$password'" > /dev/null
        fi
        # Tenant roles reach only their own database, not even the maintenance one (docs/tenants.md).
        runuser -u postgres -- psql -Xq -v ON_ERROR_STOP=1 -c "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC" > /dev/null
    fi
    echo "postgresql+psycopg://comandia:$password@127.0.0.1:5432/postgres"
}

# --- nginx and the certificate --------------------------------------------------------------------
write_site() {
    local certificate=$1 key=$2 template=$HERE/nginx/comandia.conf.template
    local v6=1
    [[ -e /proc/net/if_inet6 ]] || v6=0
    sed -e "s#@DOMAIN@#$DOMAIN#g" -e "s#@UPSTREAM@#127.0.0.1:$PORT#g" -e "s#@HTTP_PORT@#$HTTP_PORT#g" \
        -e "s#@HTTPS_PORT@#$HTTPS_PORT#g" -e "s#@CERTIFICATE@#$certificate#g" -e "s#@CERTIFICATE_KEY@#$key#g" \
        -e "s#@ACME_ROOT@#$ACME_ROOT#g" -e "s#@LOG_DIR@#$LOG_DIR#g" "$template" |
        if ((v6)); then cat; else grep -v 'listen \[::\]'; fi |
        write "$SITE" 0644
    if [[ ! -L $SITE_LINK ]]; then
        ln -sfn "../sites-available/comandia.conf" "$SITE_LINK"
        created "$SITE_LINK"
    fi
}

configure_nginx() {
    make_dir "$ROOT/etc/nginx/sites-available" 0755
    make_dir "$ROOT/etc/nginx/sites-enabled" 0755
    make_dir "$ACME_ROOT" 0755
    make_dir "$LOG_DIR" 0755
    if [[ -n $CERTIFICATE ]]; then
        write_site "$CERTIFICATE" "$CERTIFICATE_KEY"
    else
        local live=$ROOT/etc/letsencrypt/live/$DOMAIN
        if ((!SCRATCH)) && [[ ! -f $live/fullchain.pem ]]; then
            # First a certificate through the HTTP challenge, served by nginx with a stand-in
            # certificate (nginx needs one to load the TLS server block), then the real one.
            step "$(say certbot "$DOMAIN")"
            local snakeoil=/etc/ssl/certs/ssl-cert-snakeoil.pem snakeoil_key=/etc/ssl/private/ssl-cert-snakeoil.key
            [[ -f $snakeoil ]] || make-ssl-cert generate-default-snakeoil
            write_site "$snakeoil" "$snakeoil_key"
            nginx -t -q && systemctl reload-or-restart nginx
            local account=(--register-unsafely-without-email)
            [[ -z $EMAIL ]] || account=(--email "$EMAIL")
            certbot certonly --webroot -w "$ACME_ROOT" -d "$DOMAIN" --agree-tos --non-interactive "${account[@]}" \
                --deploy-hook "systemctl reload nginx"
        fi
        write_site "$live/fullchain.pem" "$live/privkey.pem"
    fi
    if ((!SCRATCH)); then
        nginx -t -q
        systemctl enable nginx > /dev/null 2>&1
        systemctl reload-or-restart nginx
    fi
}

# --- Commands ------------------------------------------------------------------------------------
do_install() {
    check_source
    # A fresh Debian has python3 but not its venv module: that one prerequisite is installed
    # before Python is checked; a Python older than 3.11 (Ubuntu 22.04) is still refused here.
    if ((!SCRATCH)) && [[ $PYTHON == python3 ]]; then apt_install python3 python3-venv; fi
    check_python
    local packages=(python3 python3-venv)
    [[ -n $DATABASE_URL ]] || packages+=(postgresql)
    [[ -z $DOMAIN ]] || packages+=(nginx certbot ssl-cert)
    trap undo EXIT
    step "$(say apt "${packages[*]}")"
    apt_install "${packages[@]}"

    step comandia
    if ((!SCRATCH)) && ! id "$SERVICE_USER" > /dev/null 2>&1; then
        useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    fi
    make_dir "$DATA" 0750 "$SERVICE_USER:$SERVICE_USER"
    make_dir "$ETC" 0750 "root:$SERVICE_USER"
    make_dir "$ROOT/usr/bin" 0755
    make_dir "$UNITS" 0755

    step release
    if [[ -z $(current_version) ]]; then  # once installed, a new version comes through `upgrade`
        build_release
        switch_current "$RELEASE_VERSION"
    fi
    make_dir "$OPT/libexec" 0755
    write "$OPT/libexec/wait-ready.py" 0644 < "$HERE/wait-ready.py"

    step "$ENV_FILE"
    local url=$DATABASE_URL
    [[ -n $url ]] || url=$(local_database_url)
    write_env "$url"
    local run_as=$SERVICE_USER
    ((!SCRATCH)) || run_as=""
    relocate < "$HERE/comandia-admin.sh" | sed "s#@RUN_AS@#$run_as#" | write "$WRAPPER" 0755

    step systemd
    local unit
    for unit in comandia.service comandia-backup.service comandia-backup.timer; do
        relocate < "$HERE/systemd/$unit" | write "$UNITS/$unit" 0644
    done
    if [[ -z $DATABASE_URL ]]; then
        # The local PostgreSQL must be up before the server.
        make_dir "$UNITS/comandia.service.d" 0755
        printf '[Unit]\nWants=postgresql.service\n' | write "$UNITS/comandia.service.d/postgresql.conf" 0644
    fi
    run systemctl daemon-reload
    run systemctl enable --now comandia.service comandia-backup.timer > /dev/null 2>&1

    if [[ -n $DOMAIN ]]; then
        step nginx
        configure_nginx
    fi
    STEP=""
    say installed "$(current_version)" "comandia.service" "$DATA" "$DATA/initial-admin-password"
}

# admin ARGS...: the installed comandia-admin of the release in use (or of $ADMIN_RELEASE).
admin() {
    local release=${ADMIN_RELEASE:-$OPT/current}
    if ((SCRATCH)); then
        # shellcheck source=/dev/null # the env file is written above
        (set -a && . "$ENV_FILE" && set +a && exec "$release/venv/bin/comandia-admin" "$@")
    else
        # shellcheck disable=SC2016 # expanded by the inner sh, as the service user
        runuser -u "$SERVICE_USER" -- sh -c 'set -a; . "$1"; set +a; shift; exec "$@"' sh "$ENV_FILE" \
            "$release/venv/bin/comandia-admin" "$@"
    fi
}

do_upgrade() {
    [[ -L $OPT/current && -f $ENV_FILE ]] || die not_installed "${ROOT:-/}"
    check_python
    check_source
    local old
    old=$(current_version)
    trap undo EXIT
    step release
    build_release
    STEP=""
    cleanup_build
    if [[ $RELEASE_VERSION == "$old" ]]; then
        say already "$old"
        return 0
    fi
    say backup
    if ! ADMIN_RELEASE=$OPT/current admin backup run --all --control; then
        die backup_failed "$old"
    fi
    say migrating "$RELEASE_VERSION"
    local log_dir=$ROOT/var/log/comandia log
    make_dir "$log_dir" 0750
    log=$log_dir/upgrade-$RELEASE_VERSION-$(date -u +%Y%m%dT%H%M%SZ).log
    # The migration's own output (with the tracebacks of what failed) goes to the log; the
    # operator gets the summary: which tenant is at which revision.
    if ! ADMIN_RELEASE=$RELEASE_DIR admin migrate > "$log" 2>&1; then
        say migrate_failed "$RELEASE_VERSION" "$old" >&2
        grep -E '^(FAILED|FALLÓ|control at|control en) ' "$log" >&2 || true
        ADMIN_RELEASE=$OPT/current admin --json tenant list 2> /dev/null |
            "$OPT/current/venv/bin/python" -c 'import json, sys
for tenant in json.load(sys.stdin):
    print("  " + "  ".join(str(tenant[key]) for key in ("id", "schema_revision", "state", "name")))' >&2 || true
        say migrate_log "$log" >&2
        say migrate_howto >&2
        exit 1
    fi
    switch_current "$RELEASE_VERSION"
    run systemctl restart comandia.service
    say upgraded "$old" "$RELEASE_VERSION"
}

do_uninstall() {
    if ((PURGE && !YES)); then usage_error purge_confirm; fi
    run systemctl disable --now comandia.service comandia-backup.timer > /dev/null 2>&1 || true
    rm -f "$UNITS/comandia.service" "$UNITS/comandia-backup.service" "$UNITS/comandia-backup.timer"
    rm -rf "$UNITS/comandia.service.d"
    run systemctl daemon-reload
    if [[ -e $SITE_LINK || -e $SITE ]]; then
        rm -f "$SITE_LINK" "$SITE"
        run systemctl reload nginx || true
    fi
    rm -f "$WRAPPER"
    rm -rf "$OPT"
    if ((PURGE)); then
        if ((!SCRATCH)) && runuser -u postgres -- true 2> /dev/null; then
            # Only the local PostgreSQL the installer set up: COMANDIA's databases and roles.
            runuser -u postgres -- psql -XAtq -c "SELECT datname FROM pg_database WHERE datname LIKE 'comandia\_%'" |
                while read -r database; do
                    runuser -u postgres -- psql -Xq -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)"
                done
            runuser -u postgres -- psql -XAtq -c "SELECT rolname FROM pg_roles WHERE rolname LIKE 'comandia\_%' OR rolname = 'comandia'" |
                while read -r role; do runuser -u postgres -- psql -Xq -c "DROP ROLE IF EXISTS \"$role\""; done
        fi
        rm -rf "$DATA" "$ETC" "$ACME_ROOT"
        if ((!SCRATCH)) && id "$SERVICE_USER" > /dev/null 2>&1; then userdel "$SERVICE_USER"; fi
        say purged
    else
        say uninstalled "$DATA" "$ETC"
    fi
}

do_status() {
    local version
    version=$(current_version || true)
    if [[ -z $version ]]; then
        say not_installed "${ROOT:-/}"
        return 3
    fi
    local releases
    releases=$(find "$OPT/releases" -mindepth 1 -maxdepth 1 -printf '%f ')
    if [[ $LANGUAGE_TABLE == ES ]]; then
        echo "versión en uso:  $version ($OPT/current)"
        echo "instaladas:      $releases"
        echo "datos:           $(env_value COMANDIA_HOME)"
        echo "URL pública:     $(env_value COMANDIA_PUBLIC_URL)"
        echo "servidor local:  http://127.0.0.1:$(env_value COMANDIA_PORT)"
    else
        echo "version in use:  $version ($OPT/current)"
        echo "installed:       $releases"
        echo "data:            $(env_value COMANDIA_HOME)"
        echo "public URL:      $(env_value COMANDIA_PUBLIC_URL)"
        echo "local server:    http://127.0.0.1:$(env_value COMANDIA_PORT)"
    fi
    if ((!SCRATCH)); then
        systemctl --no-pager --lines=0 status comandia.service comandia-backup.timer nginx 2> /dev/null | grep -E '^[●○×] |Active:|Trigger:' || true
    fi
    local ready
    ready=$("$OPT/current/venv/bin/python" -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=3).status)
except Exception as error:
    print(error)' "http://127.0.0.1:$(env_value COMANDIA_PORT)/readyz")
    echo "/readyz:         $ready"
}

case $COMMAND in
    install) do_install ;;
    upgrade) do_upgrade ;;
    uninstall) do_uninstall ;;
    status) do_status ;;
esac
