// Validates a GeoJSON file with @placemarkio/check-geojson (an RFC 7946 checker from npm, in
// web/node_modules). Usage: node tests/tools/check_geojson.mjs FILE
// Exit 0 and "valid" when it passes; exit 1 with the checker's issues when it does not; exit 2
// when the checker is not installed.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let check;
try {
  ({ check } = createRequire(path.join(root, 'web', 'package.json'))('@placemarkio/check-geojson'));
} catch (e) {
  console.error(`check_geojson: @placemarkio/check-geojson is not installed: ${e.message}`);
  process.exit(2);
}
try {
  check(fs.readFileSync(process.argv[2], 'utf8'));
  console.log('valid');
} catch (e) {
  const issues = e.issues ?? [{ message: e.message }];
  for (const issue of issues.slice(0, 20)) console.error(`${issue.message} (at ${issue.from ?? '?'})`);
  process.exit(1);
}
