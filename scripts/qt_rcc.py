#!/usr/bin/env python3
"""Read Qt binary resource files (.rcc), e.g. GCompris' activity data.

    python3 scripts/qt_rcc.py -l FILE.rcc          # list the files inside
    python3 scripts/qt_rcc.py FILE.rcc OUT_DIR     # extract them

Format (qtbase src/corelib/io/qresource.cpp, src/tools/rcc/rcc.cpp), all big-endian:
  header: b"qres", u32 version, u32 tree offset, u32 data offset, u32 names offset
          (+ u32 flags from version 3)
  tree:   14-byte nodes (22 from version 2: + u64 mtime): u32 name offset, u16 flags, then
          for a directory u32 child count, u32 first child; for a file u16 territory,
          u16 language, u32 data offset. Flags: 1 zlib, 2 directory, 4 zstd.
  names:  u16 length, u32 hash, UTF-16BE characters
  data:   u32 size, payload (zlib payloads start with the u32 uncompressed size).
"""
import os
import struct
import subprocess
import sys
import zlib


def parse(path):
    """Yields (resource path, read()) for every file in the .rcc."""
    buf = open(path, "rb").read()
    if buf[:4] != b"qres":
        raise ValueError(f"{path}: not a Qt resource file")
    version, tree_off, data_off, names_off = struct.unpack(">IIII", buf[4:20])
    node_size = 14 if version == 1 else 22

    def name(off):
        p = names_off + off
        n, = struct.unpack(">H", buf[p:p + 2])
        return buf[p + 6:p + 6 + 2 * n].decode("utf-16-be")

    def data(off, flags):
        p = data_off + off
        size, = struct.unpack(">I", buf[p:p + 4])
        payload = buf[p + 4:p + 4 + size]
        if flags & 1:
            return zlib.decompress(payload[4:])
        if flags & 4:
            return subprocess.run(["zstd", "-dc"], input=payload, stdout=subprocess.PIPE, check=True).stdout
        return payload

    def walk(index, prefix):
        p = tree_off + index * node_size
        name_off, flags = struct.unpack(">IH", buf[p:p + 6])
        full = f"{prefix}/{name(name_off)}" if index else prefix
        if flags & 2:
            count, first = struct.unpack(">II", buf[p + 6:p + 14])
            for child in range(first, first + count):
                yield from walk(child, full)
        else:
            _territory, _language, off = struct.unpack(">HHI", buf[p + 6:p + 14])
            yield full, (lambda o=off, f=flags: data(o, f))

    yield from walk(0, "")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "-l":
        for p, _ in parse(sys.argv[2]):
            print(p)
    elif len(sys.argv) == 3:
        for p, read in parse(sys.argv[1]):
            dst = os.path.join(sys.argv[2], p.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(read())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
