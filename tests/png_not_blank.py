#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""png_not_blank.py FILE MIN: exit 0 when the PNG (8-bit RGB or RGBA, as
rsvg-convert writes) has at least MIN pixels that are not white, else 1.
Decodes with zlib only: no image library on a fresh machine."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, hdr = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    w, h, depth, color = hdr[0], hdr[1], hdr[2], hdr[3]
    if depth != 8 or color not in (2, 6):
        raise ValueError('not 8-bit RGB(A)')
    bpp = 3 if color == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, None, []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x] if prev else 0
            c = prev[x - bpp] if prev and x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pr) & 255
        prev = line
        out.append(line)
    return out, w, bpp


def main():
    rows, w, bpp = pixels(sys.argv[1])
    inked = 0
    for line in rows:
        for x in range(w):
            px = line[x * bpp:x * bpp + bpp]
            if bpp == 4 and px[3] == 0:
                continue
            if min(px[:3]) < 200:
                inked += 1
    print(f'{inked} inked pixels of {w * len(rows)}')
    sys.exit(0 if inked >= int(sys.argv[2]) else 1)


main()
