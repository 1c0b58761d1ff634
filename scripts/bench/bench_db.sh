# Shared by read_bench.sh and tile_bench.sh (sourced, not run): builds the benchmark database
# once and reuses it, so both benchmarks measure the same file and a rerun skips the import.
# Expects: $shared (the ../shared folder), $data (generated inputs), $work (outputs), $binary.
# bench_db N  ->  sets db, bench_tag; the file is $work/read-<tag>.sqlite (read-1m.sqlite at 1M,
# the path read_bench.sh has always used) with every VG5000 Gemeinde, a catch-all Kommune over
# the synthetic box, N footprints from gen_buildings.py and 5,000 vacancy reports.
# BENCH_GEOJSON=1 also writes the GeoJSON copy of the footprints (the geojson-vt anchor reads it;
# making both at once saves a second run of the generator).

source "$(dirname "${BASH_SOURCE[0]}")/import_common.sh"

bench_tag_of() {  # the tag the anchor scripts use for N (1m, 100k, 10k), else N itself
  case "$1" in 1000000) echo 1m;; 100000) echo 100k;; 10000) echo 10k;; *) echo "$1";; esac
}

bench_db() {
  local n=$1
  bench_tag=$(bench_tag_of "$n")
  db="$work/read-$bench_tag.sqlite"
  local src="$data/buildings_$bench_tag.shp"
  if [[ ! -f "$db" ]]; then
    if [[ ! -s "$src" || ( ${BENCH_GEOJSON:-0} == 1 && ! -s "$data/buildings_$bench_tag.geojson" ) ]]; then
      local geojson_flag=(--no-geojson)
      if [[ ${BENCH_GEOJSON:-0} == 1 ]]; then geojson_flag=(); fi
      python3 "$shared/bench/gen_buildings.py" "$n" "$data" --tag "$bench_tag" "${geojson_flag[@]}" >/dev/null
    fi
    # Build under a temporary name: an interrupted import must not leave a half-filled file
    # that the next run would take for the finished database.
    local partial="$db.partial"
    rm -f "$partial" "$partial"-*
    # Every VG5000 Gemeinde, and a catch-all area over the synthetic box (import_common.sh)
    # so that no synthetic building is rejected for lying outside every Kommune.
    load_bench_kommunen "$binary" "$partial"
    "$binary" import "$src" --db "$partial" --no-progress >/dev/null
    local suffix
    for suffix in -wal -shm; do
      if [[ -e "$partial$suffix" ]]; then mv "$partial$suffix" "$db$suffix"; fi
    done
    mv "$partial" "$db"
  fi
  if [[ $(sqlite3 "$db" "SELECT count(*) FROM vacancies") -eq 0 ]]; then
    # 5,000 reports at building centroids, evenly spread over the ids (every 200th at 1M).
    local step=$(( n / 5000 > 1 ? n / 5000 : 1 ))
    # load_extension prints an empty line first: drop it.
    sqlite3 -cmd "SELECT load_extension('mod_spatialite')" -csv -header "$db" \
      "SELECT ST_X(ST_Centroid(footprint)) AS lon, ST_Y(ST_Centroid(footprint)) AS lat,
              CASE id % 4 WHEN 0 THEN 'gemeldet' WHEN 1 THEN 'bestaetigt' WHEN 2 THEN 'in_aktivierung'
                          ELSE 'aktiviert' END AS status,
              CASE id % 3 WHEN 0 THEN 'wohnen' WHEN 1 THEN 'laden' ELSE 'gewerbe' END AS use
         FROM buildings WHERE id % $step = 0" | sed '/^$/d' > "$work/vacancies.csv"
    "$binary" import "$work/vacancies.csv" --layer vacancies --db "$db" >/dev/null
  fi
}
