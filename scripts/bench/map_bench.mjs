// Map panning benchmark (issue 6), run by hand: the planner map over 1M synthetic buildings at
// z15 in Debian's chromium (headless), the real server. For each of N pans it measures the time
// from the pan to the last buildings tile drawn (tile request → canvas), and during animated
// pans the frame intervals (requestAnimationFrame), so "smooth" has a number.
//
// Usage (from the repository root, after scripts/bench/read_bench.sh made the 1M database):
//   node scripts/bench/map_bench.mjs [DB] [PANS]
// DB defaults to /tmp/leerstand-bench-work/read-1m.sqlite; it is copied, never changed.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, makeTempDir, runCli, startServer, stopServer } from '../../tests/browser/support.mjs';

const source = process.argv[2] ?? '/tmp/leerstand-bench-work/read-1m.sqlite';
const pans = Number(process.argv[3] ?? 20);
// The synthetic data's town centre (../shared/bench/gen_buildings.py): the densest tiles.
const CENTRE = [53.0157, 13.9939];

const work = makeTempDir('leerstand-map-bench-');
const db = path.join(work, 'map.sqlite');
fs.copyFileSync(source, db);
const password = 'ein-langes-passwort';
const added = await runCli(['user', 'add', 'bench-planer', '--role', 'planner', '--db', db], { input: `${password}\n` });
if (added.code !== 0) throw new Error(added.stderr);
const buildings = spawnSync('sqlite3', [db, 'SELECT count(*) FROM buildings'], { encoding: 'utf8' }).stdout.trim();

const server = startServer(db);
const base = await server.url;
const context = await launchBrowser(makeTempDir('leerstand-map-bench-chromium-'));
const page = context.pages()[0] ?? await context.newPage();
await page.setViewportSize({ width: 1280, height: 800 });
await page.goto(`${base}/`, { waitUntil: 'load' });
await page.click('#sign-in-open');
await page.fill('#sign-in-name', 'bench-planer');
await page.fill('#sign-in-password', password);
await page.click('.sign-in-form button[type="submit"]');
await page.locator('.account-name').waitFor({ timeout: 30000 });

const loaded = () => page.waitForFunction(() => {
  const tiles = document.querySelectorAll('.buildings-layer canvas');
  return tiles.length > 0 && [...tiles].every((t) => t.classList.contains('leaflet-tile-loaded'));
}, null, { timeout: 60000, polling: 'raf' });

await page.evaluate(([lat, lon]) => window.leerstandMap.setView([lat, lon], 15, { animate: false }), CENTRE);
await loaded();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

// Pans of half a screen, round the centre, so each view needs new tiles.
const steps = [[640, 0], [0, 400], [-640, 0], [0, -400]];
const tileToRender = [];
const frames = [];
let features = 0;
for (let i = 0; i < pans; i++) {
  const [dx, dy] = steps[i % steps.length].map((v) => v * (1 + Math.floor(i / 4)));
  const result = await page.evaluate(async ([x, y]) => {
    const map = window.leerstandMap;
    const intervals = [];
    let last = performance.now();
    let running = true;
    const tick = (now) => {
      intervals.push(now - last);
      last = now;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const begin = performance.now();
    map.panBy([x, y], { animate: true, duration: 0.25 });
    await new Promise((resolve) => map.once('moveend', resolve));
    await new Promise((resolve) => {
      const check = () => {
        const tiles = document.querySelectorAll('.buildings-layer canvas');
        if (tiles.length > 0 && [...tiles].every((t) => t.classList.contains('leaflet-tile-loaded'))) resolve();
        else requestAnimationFrame(check);
      };
      check();
    });
    const drawn = performance.now() - begin;
    running = false;
    return { drawn, intervals: intervals.slice(1) };
  }, [dx, dy]);
  tileToRender.push(result.drawn);
  frames.push(...result.intervals);
}
features = await page.evaluate(() => {
  let layer = null;
  window.leerstandMap.eachLayer((l) => { if (l.options?.layer === 'buildings' && l.loadedFeatures) layer = l; });
  return layer ? layer.loadedFeatures().length : 0;
});

console.log(JSON.stringify({
  buildings: Number(buildings),
  zoom: 15,
  viewport: '1280x800',
  pans,
  features_in_last_view: features,
  pan_to_drawn_ms: { median: Math.round(median(tileToRender)), p90: Math.round(quantile(tileToRender, 0.9)), max: Math.round(Math.max(...tileToRender)) },
  frame_interval_ms: { median: Number(median(frames).toFixed(1)), p95: Number(quantile(frames, 0.95).toFixed(1)), max: Number(Math.max(...frames).toFixed(1)), frames: frames.length },
}));
await context.close();
await stopServer(server);
fs.rmSync(work, { recursive: true, force: true });
