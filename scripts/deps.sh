#!/bin/sh
# deps.sh build|test|bench - check the Debian packages mailsift needs and, when
# run as root, install the missing ones (apt-get update once, then install).
set -eu
what=${1:-build}
pkgs="gcc make pkg-config libpcap-dev libncurses-dev libpcre2-dev libssl-dev"
if [ "$what" = bench ]; then
    pkgs="$pkgs hyperfine jq time bc tshark dsniff tcpreplay tcpdump iproute2 ethtool"
fi
if [ "$what" = test ]; then
    pkgs="$pkgs clang libclang-rt-14-dev python3 tshark tcpdump tmux expect inetutils-telnet dovecot-pop3d dovecot-imapd postfix openssl iproute2 wireshark-common chromium"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "mailsift: missing Debian packages:$missing" >&2
    echo "mailsift: install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "mailsift: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Answer the install questions: no setuid dumpcap, no postfix set-up
# (tests start their own servers with their own configuration).
printf '%s\n' "wireshark-common wireshark-common/install-setuid boolean false" \
    "postfix postfix/main_mailer_type select No configuration" \
    | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
