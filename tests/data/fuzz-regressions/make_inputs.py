#!/usr/bin/env python3
"""Writes the hand-made hostile uploads of this folder (python3 tests/data/fuzz-regressions/make_inputs.py).

Each file is a fuzz input of tests/fuzz/upload_fuzz_entry.hpp: byte 0 picks the upload's name
and packaging (0 .zip, 1 .geojson, 2 .gpkg, 3 .csv, 4 shapefile parts zipped, 7 named entries
zipped; +8 reads points instead of polygons), the rest is the file. Zips are written byte for
byte here, so each one is exactly the trap it names. The GeoPackages need ogr2ogr (gdal-bin).
Files the fuzzer found (crash-*, timeout-*, oom-*) are kept beside these, as they came.
"""
import os
import sqlite3
import struct
import subprocess
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

ZIP, GEOJSON, GPKG, CSV, SHAPEFILE_PARTS, NAMED_ENTRIES = 0, 1, 2, 3, 4, 7
POINTS = 8

# A 20 m x 20 m square in Angermuende (lon/lat): the one good feature in the files below.
SQUARE = [[13.9900, 53.0150], [13.9903, 53.0150], [13.9903, 53.0152], [13.9900, 53.0152],
          [13.9900, 53.0150]]
GOOD_CSV = b'id,WKT\n1,"POLYGON ((13.99 53.015, 13.9903 53.015, 13.9903 53.0152, 13.99 53.015))"\n'


def write(name, selector, content):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(bytes([selector]) + content)


def deflate(raw):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()


def zip_bytes(entries):
    """entries: (name bytes, method, stored data, crc, declared size, local header offset or None).

    An offset of None appends the entry's own local header; an offset points the directory
    entry at an earlier local header instead (overlapping entries)."""
    out = bytearray()
    cd = bytearray()
    for name, method, data, crc, declared, offset in entries:
        if offset is None:
            offset = len(out)
            out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, method, 0, 0x21, crc, len(data),
                               declared, len(name), 0) + name + data
        cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, method, 0, 0x21, crc,
                          len(data), declared, len(name), 0, 0, 0, 0, 0, offset) + name
    cd_offset = len(out)
    out += cd
    out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(entries), len(entries), len(cd),
                       cd_offset, 0)
    return bytes(out)


def entry(name, raw, declared=None):
    return (name, 8, deflate(raw), zlib.crc32(raw), len(raw) if declared is None else declared,
            None)


def geojson(features):
    import json
    return json.dumps({'type': 'FeatureCollection', 'features': features},
                      allow_nan=True).encode()


def feature(case, geometry):
    return {'type': 'Feature', 'properties': {'case': case}, 'geometry': geometry}


def polygon(ring):
    return {'type': 'Polygon', 'coordinates': [ring]}


def zips():
    write('zip-dotdot-entry.fuzz', ZIP,
          zip_bytes([entry(b'ok.csv', GOOD_CSV), entry(b'../../outside/buildings.csv', GOOD_CSV)]))
    write('zip-absolute-entry.fuzz', ZIP, zip_bytes([entry(b'/tmp/buildings.csv', GOOD_CSV)]))
    # Overlapping entries: 40 directory entries share one local file of 16 MiB of zeros
    # (16 KiB deflated); together they claim 640 MiB, over the 512 MiB limit.
    zeros = bytes(16 << 20)
    kernel = entry(b'bomb.csv', zeros)
    names = [b'bomb%02d.csv' % i for i in range(40)]
    write('zip-bomb-overlapping.fuzz', ZIP,
          zip_bytes([kernel[:5] + (None,)] + [(n,) + kernel[1:5] + (0,) for n in names[1:]]))
    # One entry declares 1000 bytes and inflates to 32 MiB of CSV rows: only reading the entry
    # finds the lie (check_zip trusts the directory).
    rows = b'id,WKT\n' + b'1,"POINT (13.99 53.015)"\n' * ((32 << 20) // 25)
    write('zip-bomb-lying-size.fuzz', ZIP, zip_bytes([entry(b'rows.csv', rows, declared=1000)]))
    # The same with a CP437 name (0x84 = a-umlaut, no UTF-8 flag), as old Windows zip tools
    # write it: GDAL lists such names converted to UTF-8, so a check that opens the raw name
    # finds nothing to verify.
    write('zip-bomb-lying-size-cp437-name.fuzz', ZIP,
          zip_bytes([entry(b'Geb\x84ude.csv', rows, declared=1000)]))
    write('zip-too-many-entries.fuzz', ZIP,
          zip_bytes([entry(b'f%04d.csv' % i, GOOD_CSV) for i in range(1001)]))


def shapefile_parts(shp, shx, dbf, prj=b'', cpg=b''):
    return struct.pack('<IIII', len(shp), len(shx), len(dbf), len(prj)) + shp + shx + dbf + prj + cpg


def shp_header(file_words, shape_type=5, bbox=(13.99, 53.015, 13.9903, 53.0152)):
    return (struct.pack('>7i', 9994, 0, 0, 0, 0, 0, file_words) +
            struct.pack('<2i4d4d', 1000, shape_type, *bbox, 0, 0, 0, 0))


def polygon_record(number, ring, num_parts=None, num_points=None):
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    content = struct.pack('<i4dii', 5, min(xs), min(ys), max(xs), max(ys),
                          1 if num_parts is None else num_parts,
                          len(ring) if num_points is None else num_points)
    content += struct.pack('<i', 0) + b''.join(struct.pack('<2d', *p) for p in ring)
    return struct.pack('>2i', number, len(content) // 2) + content


def dbf(records, declared=None):
    field = b'ID'.ljust(11, b'\0') + b'N' + bytes(4) + bytes([5, 0]) + bytes(14)
    header = struct.pack('<B3BIHH', 3, 24, 1, 1, len(records) if declared is None else declared,
                         32 + 32 + 1, 1 + 5) + bytes(20)
    return header + field + b'\r' + b''.join(b' ' + r.rjust(5) for r in records) + b'\x1a'


def shx(records):
    words = 50 + 4 * len(records)
    out = shp_header(words)
    offset = 50
    for rec in records:
        out += struct.pack('>2i', offset, len(rec) // 2 - 4)
        offset += len(rec) // 2
    return out


def shapefiles():
    good = polygon_record(1, SQUARE)
    good_shp = shp_header(50 + len(good) // 2) + good
    write('shp-absurd-record-count.fuzz', SHAPEFILE_PARTS,
          shapefile_parts(good_shp, shx([good]), dbf([b'1'], declared=0xFFFFFFFF)))
    # One record that claims 2^31-1 parts and points in 84 bytes of content.
    absurd = polygon_record(1, SQUARE, num_parts=0x7FFFFFFF, num_points=0x7FFFFFFF)
    write('shp-absurd-part-and-point-counts.fuzz', SHAPEFILE_PARTS,
          shapefile_parts(shp_header(50 + len(absurd) // 2) + absurd, shx([absurd]), dbf([b'1'])))
    # The headers claim a 4 GiB .shp and an index entry points far past the end of the file.
    index = shp_header(0x7FFFFFFF) + struct.pack('>2i', 0x7FFFFFF0, len(good) // 2 - 4)
    write('shp-header-lengths-absurd.fuzz', SHAPEFILE_PARTS,
          shapefile_parts(shp_header(0x7FFFFFFF) + good, index, dbf([b'1'])))
    # A .cpg naming ISO 8859 part 99999999999999999999: the code page number overflowed
    # std::stoi, whose std::out_of_range escaped the reader (found while writing these).
    write('shp-cpg-code-page-number-overflow.fuzz', SHAPEFILE_PARTS,
          shapefile_parts(good_shp, shx([good]), dbf([b'1']), b'',
                          b'ISO 8859 99999999999999999999'))


def coordinates():
    big = 1e308
    nan = float('nan')
    inf = float('inf')
    cases = [('good', SQUARE)]
    for label, value in [('1e308', big), ('-1e308', -big), ('nan', nan), ('infinity', inf)]:
        ring = [list(p) for p in SQUARE]
        ring[1][0] = value
        cases.append((label, ring))
        ring = [list(p) for p in SQUARE]
        ring[2][1] = value
        cases.append((label + ' latitude', ring))
    cases.append(('all 1e308', [[big, big], [-big, big], [-big, -big], [big, -big], [big, big]]))
    write('geojson-non-finite-coordinates.fuzz', GEOJSON,
          geojson([feature(label, polygon(ring)) for label, ring in cases]))
    points = [('good', [13.99, 53.015]), ('1e308', [big, 53.0]), ('-1e308', [13.99, -big]),
              ('nan', [nan, 53.0]), ('infinity', [13.99, inf]), ('1e308 both', [big, big])]
    write('geojson-points-non-finite.fuzz', GEOJSON | POINTS,
          geojson([feature(label, {'type': 'Point', 'coordinates': xy}) for label, xy in points]))
    lines = [b'id,lon,lat', b'1,13.99,53.015', b'2,1e308,53.0', b'3,nan,53.0', b'4,13.99,inf',
             b'5,-inf,-inf', b'6,1e999,53.0', b'7,13.99,NaN']
    write('csv-points-non-finite.fuzz', CSV | POINTS, b'\n'.join(lines) + b'\n')


def csv_garbage():
    rows = [
        b'"POLYGON ((13.99 53.015, 13.9903 53.015, 13.9903 53.0152, 13.99 53.015))"',
        b'"POLYGON (("',
        b'"POLYGON ((0 0, 1 1"',
        b'"MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), (("',
        b'"POLYGON ((1e308 1e308, -1e308 1e308, -1e308 -1e308, 1e308 1e308))"',
        b'"POLYGON ((nan nan, 1 0, 1 1, nan nan))"',
        b'"POLYGON ((inf 0, 1 0, 1 1, inf 0))"',
        b'"POLYGON ((1e999999 0, 1 0, 1 1, 0 0))"',
        b'"' + b'GEOMETRYCOLLECTION (' * 5000 + b'POINT (1 1)' + b')' * 5000 + b'"',
        b'"' + b'MULTIPOLYGON (' + b'(' * 5000 + b'"',
        b'"POLYGON EMPTY"',
        b'"POLYGON ((13.99 53.015, 13.99 53.015, 13.99 53.015, 13.99 53.015))"',
        b'"\xff\xfe\x00garbage"',
        b'"' + b'9' * 100000 + b'"',
    ]
    write('csv-wkt-garbage.fuzz', CSV,
          b'id,WKT\n' + b''.join(b'%d,%s\n' % (i + 1, r) for i, r in enumerate(rows)))


def deep_geojson():
    depth = 100000
    nested = b'{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":' + \
        b'[' * depth + b']' * depth + b'}}'
    write('geojson-deep-nesting.fuzz', GEOJSON,
          b'{"type":"FeatureCollection","features":[' + nested + b']}')
    collections = b'{"type":"GeometryCollection","geometries":[' * 20000 + b']}' * 20000
    write('geojson-deep-geometry-collections.fuzz', GEOJSON,
          b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
          b'"geometry":' + collections + b'}]}')


def ring_overlapping_itself():
    # One ring of 250,001 vertices that runs round the same square 62,500 times: it overlaps
    # itself everywhere, and repairing it would take GEOS hours and terabytes (4,000 vertices:
    # 5 s, 16,000: 2 min and 11 GB). Deflated inside a zip it stays small.
    square = SQUARE[:4]
    ring = ','.join('[%r,%r]' % tuple(square[i % 4]) for i in range(250000)) + \
        ',[%r,%r]' % tuple(square[0])
    body = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
            '"geometry":{"type":"Polygon","coordinates":[[' + ring + ']]}}]}').encode()
    write('zip-geojson-ring-250k-vertices-overlapping-itself.fuzz', ZIP,
          zip_bytes([entry(b'ring.geojson', body)]))


def geopackages():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'src.geojson')
        with open(src, 'wb') as f:
            f.write(geojson([feature('good %d' % i, polygon(SQUARE)) for i in range(50)]))
        gpkg = os.path.join(tmp, 'buildings.gpkg')
        subprocess.run(['ogr2ogr', '-f', 'GPKG', gpkg, src, '-nln', 'buildings',
                        '-lco', 'SPATIAL_INDEX=NO'], check=True)
        data = open(gpkg, 'rb').read()
        write('gpkg-truncated.fuzz', GPKG, data[:len(data) // 2])
        # Absurd counts where GeoPackage keeps them: the cached feature count, and a geometry
        # blob whose WKB claims 2^31-1 rings (GeoPackage header: magic, version, flags, srs id,
        # then WKB without an envelope).
        db = sqlite3.connect(gpkg)
        db.execute('UPDATE gpkg_ogr_contents SET feature_count = 9223372036854775807')
        blob = b'GP\x00\x01' + struct.pack('<i', 4326) + struct.pack('<BII', 1, 3, 0x7FFFFFFF)
        blob += struct.pack('<I', 5) + b''.join(struct.pack('<2d', *p) for p in SQUARE)
        db.execute('UPDATE buildings SET geom = ? WHERE fid = 2', (blob,))
        db.commit()
        db.close()
        write('gpkg-absurd-counts.fuzz', GPKG, open(gpkg, 'rb').read())


if __name__ == '__main__':
    zips()
    shapefiles()
    coordinates()
    csv_garbage()
    deep_geojson()
    ring_overlapping_itself()
    geopackages()
