#!/bin/sh
# make install and make uninstall, into a scratch DESTDIR with a PREFIX of
# its own: install puts the binary and the manuals where they belong, and
# uninstall removes exactly those files, leaving what else is there (and
# succeeds when there is nothing to remove). Installs the ./goroscope
# already built, without building it. TAP output.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
if [ ! -x ./goroscope ]; then
	echo "1..0 # SKIP ./goroscope is not built (make first)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/root
prefix=/opt/gs
make_() { # target
	make -s --no-print-directory -o goroscope "$1" DESTDIR="$dest" \
		PREFIX="$prefix" >"$tmp/log" 2>&1
}

n=0
fail=0
check() { # description, command...
	what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		sed 's/^/# /' "$tmp/log" | head -5
		fail=1
	fi
}
listing() { # the files under $dest, sorted, relative to it
	(cd "$dest" && find . -type f | sort)
}

want=$tmp/want
{
	echo "./opt/gs/bin/goroscope"
	for m in man/*.1; do echo "./opt/gs/share/man/man1/${m#man/}"; done
	for m in man/*.5; do echo "./opt/gs/share/man/man5/${m#man/}"; done
} | sort >"$want"

check "make install DESTDIR PREFIX=$prefix" make_ install
listing >"$tmp/got"
check "the binary and every manual, where they belong" \
	cmp -s "$want" "$tmp/got"
check "the binary installed is ./goroscope" \
	cmp -s ./goroscope "$dest$prefix/bin/goroscope"
# Another program's files beside goroscope's stay.
echo other >"$dest$prefix/bin/other"
echo other >"$dest$prefix/share/man/man1/other.1"
check "make uninstall" make_ uninstall
listing >"$tmp/got"
printf './opt/gs/bin/other\n./opt/gs/share/man/man1/other.1\n' >"$want"
check "removes exactly what install put" cmp -s "$want" "$tmp/got"
check "make uninstall again: nothing to remove, no error" make_ uninstall
echo "1..$n"
exit $fail
