# What the import benchmarks share (import_bench.sh on SpatiaLite, import_postgres_bench.sh on
# PostgreSQL); sourced, with $work (the folder for outputs) and $shared (../shared) set by the
# caller.

# load_bench_kommunen BINARY DB: every Gemeinde of VG5000 (10,997), as users would load them,
# plus one catch-all area over the whole synthetic box, into DB (a file or a conninfo). The box
# reaches across the Oder into Poland; without it those footprints would be rejected and we
# would store fewer rows than ogr2ogr writes. A Gemeinde still wins where it contains a
# footprint (smaller area wins).
load_bench_kommunen() {
  local binary=$1 db=$2
  "$binary" import-kommunen "$shared/data/kommunen/vg5000_2021/VG5000_GEM.shp" --db "$db" >/dev/null
  cat > "$work/bench-box.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature",
 "properties":{"AGS":"12999999","GEN":"Benchmark-Umland","BEZ":"Gemeinde"},
 "geometry":{"type":"Polygon","coordinates":[[[13.2,52.5],[14.8,52.5],[14.8,53.5],[13.2,53.5],[13.2,52.5]]]}}]}
JSON
  "$binary" import-kommunen "$work/bench-box.geojson" --db "$db" >/dev/null
}

# run_timed LABEL CMD...: one run; appends "seconds peak_kb" to $work/LABEL.times
run_timed() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$label.one" "$@" >"$work/$label.out" 2>"$work/$label.err" \
    || { echo "bench: $label failed:" >&2; cat "$work/$label.err" >&2; exit 1; }
  cat "$work/$label.one" >> "$work/$label.times"
}

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# summarise LABEL N: a line of figures, then the median seconds alone on the last line.
summarise() {
  local label=$1 n=$2 secs kb
  secs=$(cut -d' ' -f1 "$work/$label.times" | median)
  kb=$(cut -d' ' -f2 "$work/$label.times" | sort -n | tail -1)
  printf '%-22s n=%-8s runs=%s median_s=%-7s features_per_s=%-8s peak_rss_mb=%s\n' "$label" "$n" \
    "$(wc -l < "$work/$label.times")" "$secs" "$(python3 -c "print(round($n/$secs))")" "$((kb / 1024))"
  echo "$secs"
}
