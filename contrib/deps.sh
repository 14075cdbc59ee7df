#!/bin/sh
# Installs, with apt-get, whatever canyon's build and tests need and this
# machine lacks. Not root: prints the apt-get line to run instead.
# Usage: contrib/deps.sh [bench]   ("bench" adds the benchmark peers)
set -u
missing=""
need_pkg() { # pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_file() { # file, Debian package
	[ -e "$1" ] || missing="$missing $2"
}
need_cmd pkg-config pkg-config
need_cmd cc gcc
need_cmd make make
need_pkg openssl libssl-dev
need_pkg libevent_openssl libevent-dev
need_pkg md4c libmd4c-dev
need_pkg yaml-0.1 libyaml-dev
need_pkg cmocka libcmocka-dev
need_cmd openssl openssl
need_cmd clang clang
need_file /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
need_cmd tmux tmux
need_cmd amfora amfora
need_cmd lynx lynx
need_cmd gopher gopher
need_cmd socat socat
need_cmd ss iproute2
need_cmd haproxy haproxy
need_cmd cppcheck cppcheck
need_cmd mandoc mandoc
need_cmd man man-db
need_cmd logrotate logrotate
need_cmd systemd-analyze systemd
need_cmd xmllint libxml2-utils
need_cmd strace strace
if [ "${1:-}" = bench ]; then
	need_pkg md4c-html libmd4c-html0-dev
	need_cmd molly-brown molly-brown
	need_file /usr/sbin/gophernicus gophernicus
	need_cmd ip iproute2
	need_cmd nstat iproute2
fi
[ -z "$missing" ] && exit 0
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" -ne 0 ]; then
	echo "canyon needs these packages; as root run:" >&2
	echo "  apt-get update && apt-get install -y $missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
