#!/bin/bash
# Start the sample servers ALONE (for a live capture), in a private network
# namespace like record.sh, run COMMAND inside it, stop the servers after.
#
#   samples/record/serve.sh                  # interactive shell, servers up
#   samples/record/serve.sh CMD [ARGS...]    # e.g. a live mailsift on lo
#
# Inside, the servers listen on 127.0.0.1/::1 exactly as during recording
# (Dovecot 110 995 143 993, Postfix 25 587, 127.0.0.1:465 plain,
# 127.0.0.2:587 TLS broken, 127.0.0.3:587 tickets; accounts in servers.sh),
# MS_SERVERS names their directory (certificate: $MS_SERVERS/tls/cert.pem,
# logs: $MS_SERVERS/dovecot/dovecot.log, $MS_SERVERS/postfix/maillog), and
# any scenario can be replayed against them while something else listens:
#
#   MS_IN_NS=1 MS_OUT=/tmp/x samples/record/record.sh tls13-pop3s-995
#
# Runs as root; touches nothing under /etc; nothing survives the exit.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${MS_SERVE_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "serve.sh: must run as root" >&2; exit 1; }
    MS_SERVE_NS=1 exec unshare --net --mount --uts bash "$0" "$@"
fi
hostname mail.example.test
ip link set lo up
ip link set lo mtu 1500
ip link set dev lo gso_max_size 1500 gso_max_segs 1 2>/dev/null || true
. "$HERE/servers.sh"
MS_SERVERS=$(mktemp -d /tmp/mailsift-serve.XXXXXX)
chmod 755 "$MS_SERVERS"
export MS_SERVERS
trap 'ms_servers_stop "$MS_SERVERS"; rm -rf "$MS_SERVERS"' EXIT
ms_servers_start "$MS_SERVERS" || exit 1
if [ $# = 0 ]; then
    echo "serve.sh: servers up (MS_SERVERS=$MS_SERVERS); exit the shell to stop them" >&2
    PS1='[mailsift-serve] \w# ' bash --norc -i
else
    "$@"
fi
