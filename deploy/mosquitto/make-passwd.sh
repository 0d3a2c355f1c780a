#!/bin/sh
# hallq — build the Mosquitto password file and ACL for one broker.
#
#   make-passwd.sh OUT_DIR --config HALL.toml     (the hall's own accounts)
#   make-passwd.sh OUT_DIR WINDOW...               (the standard accounts, any hall)
#
# Writes OUT_DIR/passwd (for `password_file`) and OUT_DIR/acl (for `acl_file`).
#
# With --config, the accounts and the ACL come from the config, from the same list and
# the same policy the embedded broker enforces: the controller (`broker.username`, else
# hallq-controller) and every [[broker.accounts]] entry; the ACL is what
# `hallq mqtt acl --config HALL.toml` prints (set HALLQ=/path/to/hallq if hallq is not on
# PATH). Each account's password comes from HALLQ_MQTT_PASSWORD_{user} ({user} with every
# character other than A-Z a-z 0-9 turned into "_", e.g. button-3 reads
# HALLQ_MQTT_PASSWORD_button_3).
#
# With WINDOW..., the accounts are
#   hallq-controller   the controller            (read/write hallq/v1/#)
#   gateway            the LED gateway            (read calls, windows/+, queues/+)
#   display            TV screens                 (read calls, windows/+, queues/+)
#   button-{w}         the call button of window w, for every WINDOW given
#                      (write hallq/v1/+/buttons/{w} only)
# and the ACL is ./acl (next to this script) plus one generated block per button; the
# passwords come from HALLQ_MQTT_CONTROLLER_PASSWORD, HALLQ_MQTT_GATEWAY_PASSWORD,
# HALLQ_MQTT_DISPLAY_PASSWORD, HALLQ_MQTT_BUTTON_PASSWORD_{w} ({w} mangled as above,
# e.g. window "a-1" reads HALLQ_MQTT_BUTTON_PASSWORD_a_1).
#
# Any password that is unset is generated at random.
# Give every button its own password: the ACL ties a topic to a username, so a password
# shared by all buttons lets any button sign in as another window's button.
# Generated passwords are written to OUT_DIR/credentials (mode 600) for provisioning the
# devices; copy them out and delete that file.
#
# Window ids become a username and a topic level, so they may only contain
# A-Z a-z 0-9 . _ - (no "/", "+", "#", "%", spaces).
#
# Needs mosquitto_passwd (package `mosquitto`; override with MOSQUITTO_PASSWD=/path).
# `mosquitto_passwd -b` takes the password on its command line, where other local users
# could see it in `ps` for a moment: run this on the broker host as root, or offline.
# Existing OUT_DIR/passwd and OUT_DIR/acl are replaced (atomically, by rename).
set -eu

usage() {
    echo "usage: $0 OUT_DIR --config HALL.toml | $0 OUT_DIR WINDOW..." >&2
    exit 2
}
[ "$#" -ge 2 ] || usage
out=$1
shift
config=
if [ "$1" = "--config" ]; then
    [ "$#" -eq 2 ] || usage
    config=$2
    shift 2
fi

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
template=$here/acl
pw_bin=${MOSQUITTO_PASSWD:-mosquitto_passwd}
command -v "$pw_bin" >/dev/null 2>&1 || {
    echo "$0: $pw_bin not found (install mosquitto or set MOSQUITTO_PASSWD)" >&2
    exit 1
}
[ -r "$template" ] || { echo "$0: ACL template $template missing" >&2; exit 1; }

for w in "$@"; do
    case $w in
        '' | *[!A-Za-z0-9._-]*)
            echo "$0: bad window id '$w' (allowed: A-Z a-z 0-9 . _ -)" >&2
            exit 2
            ;;
    esac
done

mkdir -p -- "$out"
umask 077
tmp_pw=$out/.passwd.tmp.$$
tmp_acl=$out/.acl.tmp.$$
tmp_cred=$out/.credentials.tmp.$$
trap 'rm -f -- "$tmp_pw" "$tmp_acl" "$tmp_cred"' EXIT INT TERM
: >"$tmp_pw"
: >"$tmp_cred"

random_password() {
    # 24 characters from /dev/urandom, letters and digits only.
    LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | dd bs=24 count=1 2>/dev/null
}

# add USER ENV_VAR_NAME
add() {
    user=$1
    var=$2
    eval "pw=\${$var:-}"
    if [ -z "$pw" ]; then
        pw=$(random_password)
        printf '%s %s\n' "$user" "$pw" >>"$tmp_cred"
    fi
    "$pw_bin" -b "$tmp_pw" "$user" "$pw"
}

mangle() {
    printf '%s' "$1" | tr -c 'A-Za-z0-9' '_'
}

if [ -n "$config" ]; then
    hallq_bin=${HALLQ:-hallq}
    "$hallq_bin" mqtt acl --config "$config" >"$tmp_acl" || {
        echo "$0: \`$hallq_bin mqtt acl --config $config\` failed" >&2
        exit 1
    }
    users=$("$hallq_bin" mqtt acl --config "$config" --users)
    count=0
    for user in $users; do
        add "$user" "HALLQ_MQTT_PASSWORD_$(mangle "$user")"
        count=$((count + 1))
    done
    summary="$count accounts from $config"
else
    add hallq-controller HALLQ_MQTT_CONTROLLER_PASSWORD
    add gateway HALLQ_MQTT_GATEWAY_PASSWORD
    add display HALLQ_MQTT_DISPLAY_PASSWORD

    cp -- "$template" "$tmp_acl"
    for w in "$@"; do
        add "button-$w" "HALLQ_MQTT_BUTTON_PASSWORD_$(mangle "$w")"
        printf '\nuser button-%s\ntopic write hallq/v1/+/buttons/%s\n' "$w" "$w" >>"$tmp_acl"
    done
    summary="$# call buttons"
fi

# The broker (user mosquitto) must read both files; nobody else needs to.
if [ "$(id -u)" -eq 0 ] && getent group mosquitto >/dev/null 2>&1; then
    chgrp mosquitto "$tmp_pw" "$tmp_acl"
    chmod 640 "$tmp_pw" "$tmp_acl"
fi
mv -f -- "$tmp_pw" "$out/passwd"
mv -f -- "$tmp_acl" "$out/acl"
if [ -s "$tmp_cred" ]; then
    mv -f -- "$tmp_cred" "$out/credentials"
    echo "generated passwords written to $out/credentials (mode 600): provision the devices, then delete it" >&2
fi
echo "wrote $out/passwd and $out/acl ($summary); reload Mosquitto to apply" >&2
