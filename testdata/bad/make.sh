#!/bin/sh
# Regenerates the damaged inputs of testdata/bad from the real captures.
set -eu
cd "$(dirname "$0")"
src=../captures/leaky/05.pb.gz
: >empty.txt
# 512 bytes that match no format: a fixed pseudo-random sequence.
awk 'BEGIN { x = 12345; for (i = 0; i < 512; i++) {
	x = (x * 1103515245 + 12345) % 2147483648; printf "%c", 128 + x % 128 } }' \
	>garbage.bin
head -c 1000 "$src" >truncated.pb.gz
size=$(wc -c <"$src")
b=$(od -An -tu1 -j199 -N1 "$src" | tr -d ' ')
{ head -c 199 "$src"; printf "\\$(printf %o $((255 - b)))";
  tail -c $((size - 200)) "$src"; } >corrupt.pb.gz
gzip -dc "$src" >full.pb.tmp
head -c $(( $(wc -c <full.pb.tmp) / 2 + 7 )) full.pb.tmp >cut.pb
rm -f full.pb.tmp
printf '2026/11/28 10:00:00 server started\n2026/11/28 10:00:01 listening on :8080\n' \
	>nogoroutines.txt
