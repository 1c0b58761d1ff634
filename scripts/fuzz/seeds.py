#!/usr/bin/env python3
"""Seed corpus for the upload reader fuzzer: python3 seeds.py OUT_DIR MAX_LEN SOURCE_DIR...

Every file of a format the upload reads becomes a fuzz input of tests/fuzz/upload_fuzz_entry.hpp
(byte 0 picks name and packaging, +8 reads points), once as buildings and once as vacancies.
Shapefiles go in as their parts (mode 4), so the fuzzer mutates .shp/.shx/.dbf bytes directly.
Files already in that format (tests/fixtures/fuzz-regressions) are copied as they are.
"""
import hashlib
import os
import struct
import sys

MODES = {'.zip': 0, '.geojson': 1, '.gpkg': 2, '.csv': 3, '.json': 6}
NAMED_ENTRIES = 7
POINTS = 8

out_dir, max_len, sources = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
os.makedirs(out_dir, exist_ok=True)
written = skipped = 0


def seed(data):
    global written, skipped
    if len(data) > max_len:
        skipped += 1
        return
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out_dir, name), 'wb') as f:
        f.write(data)
    written += 1


def both_kinds(selector, content):
    seed(bytes([selector]) + content)
    seed(bytes([selector | POINTS]) + content)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


for source in sources:
    for folder, _, files in os.walk(source):
        if os.path.basename(folder) == 'fuzz-regressions':
            for name in files:
                if not name.endswith(('.py', '.md')):
                    seed(read(os.path.join(folder, name)))
            continue
        by_name = {name.lower(): name for name in files}
        for name in sorted(files):
            path = os.path.join(folder, name)
            stem, ext = os.path.splitext(name.lower())
            if ext in MODES:
                content = read(path)
                both_kinds(MODES[ext], content)
                if ext in ('.csv', '.geojson'):
                    # The same file as the only entry of a zip (mode 7: u8 name length, name,
                    # u32 length, data).
                    entry = b'data' + ext.encode()
                    both_kinds(NAMED_ENTRIES, bytes([len(entry)]) + entry +
                               struct.pack('<I', len(content)) + content)
            elif ext == '.shp':
                parts = [read(os.path.join(folder, by_name[stem + e])) if stem + e in by_name
                         else b'' for e in ('.shp', '.shx', '.dbf', '.prj', '.cpg')]
                both_kinds(4, struct.pack('<IIII', *(len(p) for p in parts[:4])) + b''.join(parts))

print('seeds: %d written to %s, %d larger than %d bytes left out' % (written, out_dir, skipped,
                                                                      max_len))
