#!/usr/bin/env python3
"""Write a goroutine profile (pprof protobuf, gzipped) from a spec.

usage: tests/pprof_make.py SPEC OUT

SPEC is a Python literal (read with ast.literal_eval), so that names can hold
any bytes, NUL and invalid UTF-8 included:

    {"samples": [{"count": 3,
                  "stack": [(b"main.f\\x1b[2J", "main.go", 10), ...],
                  "labels": {"k": "v"}}],
     "time_nanos": 0}

Frames are innermost first, as in pprof. Strings may be str or bytes. Tests
use it for what a Go program cannot print: hostile names and counts such as
INT64_MAX (a pprof count is an int64 on the wire).
"""
import ast
import gzip
import sys


def varint(v):
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    tag = varint(num << 3 | wire)
    if wire == 0:
        return tag + varint(payload)
    return tag + varint(len(payload)) + payload


def msg(*fields):
    return b"".join(fields)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pprof_make.py SPEC OUT")
    spec = ast.literal_eval(sys.argv[1])
    strings = [b""]
    index = {b"": 0}

    def s(x):
        if isinstance(x, str):
            x = x.encode()
        if x not in index:
            index[x] = len(strings)
            strings.append(x)
        return index[x]

    functions = {}
    locations = {}
    out = []
    out.append(field(1, 2, msg(field(1, 0, s("goroutine")), field(2, 0, s("count")))))
    for sm in spec["samples"]:
        locs = []
        for name, file, line in sm["stack"]:
            key = (name, file)
            if key not in functions:
                functions[key] = len(functions) + 1
                out.append(field(5, 2, msg(field(1, 0, functions[key]),
                                           field(2, 0, s(name)),
                                           field(3, 0, s(name)),
                                           field(4, 0, s(file)))))
            lk = (functions[key], line)
            if lk not in locations:
                locations[lk] = len(locations) + 1
                out.append(field(4, 2, msg(field(1, 0, locations[lk]),
                                           field(4, 2, msg(field(1, 0, lk[0]),
                                                           field(2, 0, line))))))
            locs.append(locations[lk])
        labels = b"".join(field(3, 2, msg(field(1, 0, s(k)), field(2, 0, s(v))))
                          for k, v in sm.get("labels", {}).items())
        out.append(field(2, 2, msg(field(1, 2, b"".join(varint(l) for l in locs)),
                                   field(2, 2, varint(sm["count"])), labels)))
    out.append(field(11, 2, msg(field(1, 0, s("goroutine")), field(2, 0, s("count")))))
    out.append(field(12, 0, 1))
    if spec.get("time_nanos"):
        out.append(field(9, 0, spec["time_nanos"]))
    body = b"".join(out) + b"".join(field(6, 2, x) for x in strings)
    with open(sys.argv[2], "wb") as f:
        f.write(gzip.compress(body))


if __name__ == "__main__":
    main()
