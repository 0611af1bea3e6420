#!/usr/bin/env python3
"""Read the images stored as plain JPEG/PNG in EFL .edj/.eet files (Enlightenment's wallpapers).

    python3 scripts/eet_images.py FILE.edj OUT_DIR

EET header (big-endian): u32 magic 0x1ee70f42, u32 entries, u32 dictionary size, then per entry
u32 data offset, size, data size, name offset, name size, flags (bit 0: compressed). Entries named
edje/images/N whose payload is a JPEG or PNG file are returned as they are; others are skipped.
"""
import os
import struct
import sys


def images(path):
    """Yields (entry name, bytes, extension) for every plain JPEG/PNG entry."""
    buf = open(path, "rb").read()
    magic, n, _ = struct.unpack(">III", buf[:12])
    if magic != 0x1EE70F42:
        raise ValueError(f"{path}: not an EET file")
    for i in range(n):
        off, size, _dsize, name_off, name_size, flags = struct.unpack(">6I", buf[12 + 24 * i:36 + 24 * i])
        name = buf[name_off:name_off + name_size].rstrip(b"\0").decode()
        payload = buf[off:off + size]
        ext = ".jpg" if payload[:3] == b"\xff\xd8\xff" else ".png" if payload[:8] == b"\x89PNG\r\n\x1a\n" else None
        if ext and not flags & 1 and name.startswith("edje/images/"):
            yield name, payload, ext


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, payload, ext in images(sys.argv[1]):
        with open(os.path.join(sys.argv[2], name.replace("/", "_") + ext), "wb") as f:
            f.write(payload)


if __name__ == "__main__":
    main()
