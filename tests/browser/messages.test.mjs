// German end to end: every code the server can emit has a German text in web/messages.js.
// The codes are collected from the C++ source (common/error.hpp: error_code constants and the
// kinds' codes; common/field_errors.hpp: field codes; server/http/problem.cpp: the codes of
// bare statuses; server/services/upload_jobs.cpp: the upload jobs' own codes) and from the
// OpenAPI document where it lists codes, so a code added on the server without a text here
// fails. The second part sends a real server error through the page: an editor uploads only
// the .shp of a shapefile and reads the German sentence, not the server's English detail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  FIELD_TEXTS, PROBLEM_TEXTS, fieldErrorText, jobErrorText, problemText,
} from '../../web/messages.js';
import {
  binary, cleanUpAfter, makeDemoDatabase, makeTempDir, openApp, repoRoot, runCli, signIn, skipReason,
  startServer,
} from './support.mjs';

const read = (file) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

function matchesOf(regex, text) {
  return [...text.matchAll(regex)].map((m) => m[1]);
}

/** The body of the namespace `name` in `text` (up to its closing comment). */
function namespaceBody(text, name) {
  const start = text.indexOf(`namespace ${name} {`);
  const end = text.indexOf(`}  // namespace ${name}`, start);
  assert.ok(start >= 0 && end > start, `namespace ${name} not found`);
  return text.slice(start, end);
}

/** Every C++ source file below the server's folders. */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (/\.(cpp|hpp)$/.test(entry.name)) files.push(relative);
    }
  };
  for (const dir of ['common', 'data', 'geo', 'server']) walk(dir);
  return files;
}

/** { problem: Set of top-level codes, field: Set of field codes } the server can emit. */
function serverCodes() {
  const problem = new Set();
  const field = new Set();
  const errorHpp = read('common/error.hpp');
  const constants = new Map();
  for (const m of namespaceBody(errorHpp, 'error_code').matchAll(/inline constexpr const char\* (k_\w+) = "(\w+)";/g)) {
    constants.set(m[1], m[2]);
    problem.add(m[2]);
  }
  // The kinds' codes (an error whose thrower named none).
  for (const code of matchesOf(/kind_code\(\) const noexcept(?: override)? \{ return "(\w+)"; \}/g, errorHpp)) problem.add(code);

  const fieldHpp = read('common/field_errors.hpp');
  for (const code of matchesOf(/inline constexpr std::string_view k_\w+ = "(\w+)";/g, namespaceBody(fieldHpp, 'field_code'))) field.add(code);
  for (const code of matchesOf(/k_invalid_fields_code = "(\w+)"/g, fieldHpp)) problem.add(code);

  // Bare statuses (the transport's 405, Pistache's own errors) and the 500 of every fault.
  const problemCpp = read('server/http/problem.cpp');
  const statusCode = problemCpp.slice(problemCpp.indexOf('std::string status_code(int status)'),
    problemCpp.indexOf('std::string status_title(int status)'));
  for (const code of matchesOf(/"(\w+)"/g, statusCode)) problem.add(code);
  for (const code of matchesOf(/"(\w+)"\};/g, problemCpp)) problem.add(code);

  // The upload jobs' codes named as text (JobError{code, message, values}).
  const jobs = read('server/services/upload_jobs.cpp');
  for (const code of matchesOf(/record_failure\(job, \{"(\w+)",/g, jobs)) problem.add(code);
  for (const code of matchesOf(/"error_code", std::string\("(\w+)"\)/g, jobs)) problem.add(code);

  // Every ErrorCode the source names is a constant collected above or a literal, collected here.
  for (const file of sourceFiles()) {
    const text = read(file);
    for (const argument of matchesOf(/ErrorCode\{([^}]*)\}/g, text)) {
      const literal = /^"(\w+)"$/.exec(argument);
      const constant = /^error_code::(k_\w+)$/.exec(argument);
      if (literal) problem.add(literal[1]);
      else if (constant) assert.ok(constants.get(constant[1]), `${file}: ${argument} is no constant of error_code`);
      else assert.equal(argument, 'std::string(k_invalid_fields_code)', `${file}: ErrorCode{${argument}} names a code the test cannot see`);
    }
    // Field codes only through field_code's constants: a literal would escape this test.
    assert.doesNotMatch(text, /\{"code",\s*"/, `${file} writes a literal code`);
  }

  // The OpenAPI document, where a schema lists codes as an enum.
  const openapi = JSON.parse(read('server/http/openapi.json'));
  const schemas = openapi.components.schemas;
  for (const code of schemas.Problem.properties.code.enum ?? []) problem.add(code);
  for (const code of schemas.Problem.properties.errors.items.properties.code.enum ?? []) field.add(code);
  for (const code of schemas.UploadJob.properties.error_code?.enum ?? []) problem.add(code);
  return { problem, field };
}

const codes = serverCodes();

test('the collection finds the codes it should (a broken pattern finds nothing)', () => {
  for (const code of ['invalid_fields', 'stale_version', 'not_found', 'method_not_allowed', 'internal', 'busy',
    'too_many_requests', 'unknown_kommune', 'nothing_stored', 'upload_interrupted', 'not_geodata'])
    assert.ok(codes.problem.has(code), `${code} collected`);
  for (const code of ['in_the_future', 'incomplete_shapefile', 'required', 'invalid_value'])
    assert.ok(codes.field.has(code), `${code} collected`);
  assert.ok(codes.problem.size >= 40, `${codes.problem.size} problem codes`);
  assert.ok(codes.field.size >= 30, `${codes.field.size} field codes`);
});

// German only: none of the English words the server's details are made of.
const ENGLISH = /\b(the|is|not|could|please|file|must|upload the|error|failed|unknown)\b/i;

test('every top-level code the server can emit has a German text', () => {
  const missing = [...codes.problem].filter((code) => !Object.hasOwn(PROBLEM_TEXTS, code));
  assert.deepEqual(missing, [], 'codes without a German text in web/messages.js PROBLEM_TEXTS');
  for (const code of codes.problem) {
    const text = problemText({ status: 400, problem: { code, detail: 'the English detail' } });
    assert.equal(typeof text, 'string');
    assert.ok(text.length > 10, `${code}: "${text}"`);
    assert.doesNotMatch(text, ENGLISH, `${code}: "${text}"`);
  }
});

test('every field code the server can emit has a German text', () => {
  const missing = [...codes.field].filter((code) => !Object.hasOwn(FIELD_TEXTS, code));
  assert.deepEqual(missing, [], 'field codes without a German text in web/messages.js FIELD_TEXTS');
  for (const code of codes.field) {
    const text = fieldErrorText({ field: 'vacant_since', code, message: 'an English message' });
    assert.ok(text.length > 10, `${code}: "${text}"`);
    assert.doesNotMatch(text, ENGLISH, `${code}: "${text}"`);
  }
});

test('docs/http.md lists every code in its Error codes tables', () => {
  const docs = read('docs/http.md');
  const section = docs.slice(docs.indexOf('## Error codes'), docs.indexOf('\n## ', docs.indexOf('## Error codes') + 5));
  const listed = new Set(matchesOf(/^\| `(\w+)` \|/gm, section));
  const unlisted = [...codes.problem, ...codes.field].filter((code) => !listed.has(code));
  assert.deepEqual(unlisted, [], 'codes docs/http.md does not list');
});

test('the texts use the German field label and the values the server sends', () => {
  const future = {
    status: 400,
    problem: {
      code: 'invalid_fields',
      detail: 'vacant_since 2031-05-01 lies in the future',
      errors: [{ field: 'vacant_since', code: 'in_the_future', message: 'vacant_since 2031-05-01 lies in the future' }],
    },
  };
  assert.equal(problemText(future), '„Leer seit“ darf nicht in der Zukunft liegen.');
  assert.equal(problemText(future.problem), '„Leer seit“ darf nicht in der Zukunft liegen.', 'a bare problem body');
  future.problem.errors.push({ field: 'consent_date', code: 'not_a_date', message: 'x' });
  future.problem.errors.push({ field: 'floor_area_m2', code: 'out_of_range', message: 'x' });
  assert.equal(problemText(future), '„Leer seit“ darf nicht in der Zukunft liegen. Dazu 2 weitere Angaben.');
  assert.equal(fieldErrorText({ field: 'consent_date', code: 'not_a_date' }), '„Zustimmung am“ ist kein gültiges Datum (TT.MM.JJJJ).');
  assert.equal(problemText({ status: 422, problem: { code: 'status_transition', from: 'gemeldet', to: 'aktiviert', allowed: ['bestaetigt', 'kein_leerstand'] } }),
    'Dieser Statuswechsel von „Gemeldet“ zu „Aktiviert“ ist nicht möglich. Möglich: Bestätigt, Kein Leerstand.');
  assert.equal(jobErrorText({ state: 'failed', error: 'none of the 4267 features could be stored', error_code: 'nothing_stored', error_values: { read: 4267 } }),
    'Von 4.267 gelesenen Objekten konnte keines gespeichert werden. Der Bericht nennt die Gründe.');
  assert.match(jobErrorText({ error_code: 'incomplete_shapefile', error_values: { missing: ['.shx', '.dbf'] } }), /fehlt: \.shx und \.dbf\./);
  assert.match(jobErrorText({ error_code: 'not_geodata', error_values: { file: 'häuser.zip' } }), /^„häuser\.zip“ ist keine Geodatei/);
  assert.equal(problemText({ status: 413, problem: { code: 'too_large', limit_bytes: 200 * 2 ** 20 } }), 'Die Datei ist zu groß: höchstens 200 MB.');
  // A field error within a failed job (a vacancy file for an unknown Kommune).
  assert.equal(jobErrorText({ error_code: 'invalid_fields', error_values: { errors: [{ field: 'kommune', code: 'unknown_kommune' }] } }),
    'Diese Kommune ist nicht im Atlas.');
});

test('codes the page does not know yet still get German', () => {
  assert.equal(problemText({ status: 409, problem: { code: 'added_later', detail: 'something new' } }),
    'Die Anfrage ist fehlgeschlagen (Fehler 409).');
  assert.equal(problemText({ status: 0, problem: null }), 'Keine Verbindung zum Dienst.');
  assert.equal(problemText({ status: 502, problem: null }), PROBLEM_TEXTS.busy({}));
  assert.equal(fieldErrorText({ field: 'status', code: 'added_later' }), '„Status“ ist nicht in Ordnung. Bitte prüfen.');
  assert.equal(jobErrorText({ error: 'an older server says it in English' }), 'Der Import ist fehlgeschlagen.');
  // Names of Object's own members are no codes.
  assert.equal(problemText({ status: 400, problem: { code: 'constructor' } }), 'Die Anfrage ist fehlgeschlagen (Fehler 400).');
});

/** A server on the demo buildings with an editor `editor` of Angermünde (password
 *  'ein-langes-passwort'), stopped when `t` ends; resolves with { baseUrl, token }. */
async function startAtlas(t, editor) {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}`);
  const dataDir = makeTempDir('leerstand-messages-');
  const db = path.join(dataDir, 't.sqlite');
  const cli = async (args, input = '') => {
    const result = await runCli([...args, '--db', db], { input });
    assert.equal(result.code, 0, `leerstand ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  await makeDemoDatabase(db, ['--buildings-only']);
  await cli(['user', 'add', editor, '--role', 'editor', '--kommune', '12073008'], 'ein-langes-passwort\n');
  const token = (await cli(['token', 'create', '--user', editor])).trim().split('\n').pop().trim();
  const server = startServer(db);
  cleanUpAfter(t, { server, dirs: [dataDir] });
  return { baseUrl: await server.url, token };
}

test('the server\'s refusal of a lone .shp reads in German in the upload dialog',
  { skip: skipReason, timeout: 90000 }, async (t) => {
    const { baseUrl } = await startAtlas(t, 'meldungen-redaktion');

    const { page, problems } = await openApp(t, `${baseUrl}/`, { width: 1366, height: 800 });
    await signIn(page, 'meldungen-redaktion', 'ein-langes-passwort');
    await page.locator('#upload-open').waitFor({ timeout: 10000 });
    await page.click('#upload-open');
    // The main file of a shapefile: its header's file code 9994, then nothing that matters.
    const shp = Buffer.alloc(100);
    shp.writeInt32BE(9994, 0);
    await page.setInputFiles('#upload-file', { name: 'haeuser.shp', mimeType: 'application/octet-stream', buffer: shp });
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/api/uploads')),
      page.click('.upload-form button[type="submit"]'),
    ]);
    const body = await answer.json();
    assert.equal(answer.status(), 400);
    assert.equal(body.errors[0].code, 'incomplete_shapefile');
    assert.match(body.detail, /upload them zipped/, 'the API keeps its English detail');
    assert.deepEqual(body.missing, ['.shx', '.dbf']);
    await page.waitForFunction(() => document.querySelector('.upload-form .form-error').textContent !== '');
    const shown = await page.locator('.upload-form .form-error').textContent();
    assert.equal(shown, `Hochladen nicht möglich: ${PROBLEM_TEXTS.incomplete_shapefile(body)}`);
    assert.match(shown, /fehlt: \.shx und \.dbf/);
    assert.doesNotMatch(shown, ENGLISH);
    await page.screenshot({ path: path.join(repoRoot, 'tests', 'browser', 'out', 'messages-upload.png') });
    // The refused upload was the point; nothing else may fail.
    assert.deepEqual(problems.badResponses.filter((r) => !/\/api\/uploads\b/.test(r)), []);
    assert.deepEqual(problems.consoleErrors.filter((m) => !/400/.test(m)), []);
    assert.deepEqual(problems.pageErrors, []);
  });

test('a failed upload job of the real server gets its German sentence', { timeout: 90000 }, async (t) => {
  const { baseUrl, token } = await startAtlas(t, 'job-redaktion');

  // Starts like GeoJSON, so it is taken, and fails in the job.
  const body = new FormData();
  body.append('kommune', '12073008');
  body.append('layer', 'buildings');
  body.append('file', new Blob(['{ "type": "FeatureCollection", "features": [ {']), 'kaputt.geojson');
  const headers = { Authorization: `Bearer ${token}` };
  const accepted = await fetch(`${baseUrl}/api/uploads`, { method: 'POST', body, headers });
  assert.equal(accepted.status, 202, await accepted.clone().text());
  const { href } = await accepted.json();
  let job;
  for (let i = 0; i < 100; i += 1) {
    job = await (await fetch(new URL(href, baseUrl), { headers })).json();
    if (job.state === 'done' || job.state === 'failed') break;
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  assert.equal(job.state, 'failed', JSON.stringify(job));
  assert.match(job.error, /kaputt\.geojson/, 'the English error stays for API clients');
  assert.equal(job.error_code, 'not_geodata', JSON.stringify(job));
  assert.equal(jobErrorText(job), PROBLEM_TEXTS.not_geodata({ file: 'kaputt.geojson' }));
  assert.match(jobErrorText(job), /^„kaputt\.geojson“ ist keine Geodatei/);
});
