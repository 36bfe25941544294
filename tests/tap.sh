# TAP for the test scripts, sourced from the repository's root after the
# script cd's there (`. tests/tap.sh`): `ok STATUS DESCRIPTION` for each
# check (STATUS 0 passes), and `tap_end` last, which prints the plan and
# exits 1 if any check failed.
n=0
fail=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

tap_end() {
	echo "1..$n"
	exit $fail
}
