#!/bin/sh
# Regenerates the damaged .gsnap files of testdata/gsnap from the version 1
# file (which itself is never regenerated: it pins format 1.0; it was made
# by `goroscope convert testdata/captures/leaky/*.pb.gz -o v1-leaky.gsnap`).
# Needs python3 for the CRC of the changed header.
set -eu
cd "$(dirname "$0")"
src=v1-leaky.gsnap
size=$(wc -c <"$src")
# An append that did not finish: the file ends 100 bytes into record 6.
head -c $((size - 300)) "$src" >torn.gsnap
# One byte flipped inside record 3's payload.
python3 - "$src" <<'PY'
import sys, zlib, struct
data = bytearray(open(sys.argv[1], 'rb').read())
off, n = 16, 0
while off < len(data):
    plen = struct.unpack_from('<I', data, off + 16)[0]
    n += 1
    if n == 3:
        flip = bytearray(data)
        flip[off + 24 + plen // 2] ^= 0x20
        open('crc.gsnap', 'wb').write(flip)
    off += 24 + plen
# A file from a future major version 2.
v2 = bytearray(data)
struct.pack_into('<H', v2, 8, 2)
struct.pack_into('<I', v2, 12, zlib.crc32(bytes(v2[:12])))
open('v2.gsnap', 'wb').write(v2)
PY
