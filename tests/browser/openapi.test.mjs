// The OpenAPI 3.0 document of the HTTP API (`GET /api`) against the real `leerstand serve`:
// it is a valid document, the landing page links it, every operation it lists exists on the
// server and answers only with status codes (and media types) the document lists, every method
// it leaves out of a path gets 405, the known routes are all in it, and GDAL's OAPIF driver still
// opens the service with it in place.
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY). Needs no browser.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {
  binary, makeDemoDatabase, makeTempDir, runCli, startServer, stopServer, webRoot,
} from './support.mjs';

const OPENAPI_TYPE = 'application/vnd.oai.openapi+json;version=3.0';
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
// What the static-file fallback says for a path no route serves (server/http/static_files.cpp):
// a documented operation answering this does not exist on the server.
const NO_ROUTE_DETAIL = 'no file is served at this path';
// An id no fresh database has.
const MISSING_ID = '999999999';

// The routes the server registers (the tables of server/http/*_routes.cpp), in the document's
// path syntax. A route added there must be added here and to server/http/openapi.json.
const KNOWN_ROUTES = [
  ['get', '/'],
  ['get', '/health'],
  ['get', '/api'],
  ['get', '/conformance'],
  ['get', '/collections'],
  ['get', '/collections/{collectionId}'],
  ['get', '/collections/{collectionId}/items'],
  ['get', '/collections/{collectionId}/queryables'],
  ['post', '/collections/{collectionId}/items'],
  ['get', '/collections/{collectionId}/items/{featureId}'],
  ['put', '/collections/{collectionId}/items/{featureId}'],
  ['patch', '/collections/{collectionId}/items/{featureId}'],
  ['delete', '/collections/{collectionId}/items/{featureId}'],
  ['get', '/collections/{collectionId}/items/{featureId}/history'],
  ['post', '/api/login'],
  ['post', '/api/logout'],
  ['get', '/api/me'],
  ['post', '/api/uploads'],
  ['get', '/api/uploads/{uploadId}'],
  ['get', '/api/summary'],
  ['get', '/api/kommunen/{ags}/summary'],
  ['get', '/api/kommunen/{ags}/profile'],
  ['patch', '/api/kommunen/{ags}/profile'],
  ['get', '/export/{collectionId}.geojson'],
  ['get', '/export/{collectionId}.gpkg'],
  ['get', '/export/{collectionId}.csv'],
  ['get', '/api/config'],
  ['get', '/api/site'],
  ['get', '/embed/kommunen/{ags}'],
  ['get', '/tiles/{layer}/{z}/{x}/{y}.mvt'],
  ['get', '/tiles/{layer}/{z}/{x}/{y}.geojson'],
  ['get', '/tiles/{layer}.json'],
  ['get', '/tileMatrixSets'],
  ['get', '/tileMatrixSets/{tileMatrixSetId}'],
  ['get', '/collections/{collectionId}/tiles'],
  ['get', '/collections/{collectionId}/tiles/{tileMatrixSetId}'],
  ['get', '/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}'],
  ['post', '/api/images'],
  ['get', '/images/{imageId}/{file}'],
  ['get', '/api/network'],
  ['post', '/api/membership-requests'],
  ['get', '/api/membership-requests'],
  ['post', '/api/membership-requests/{requestId}/accept'],
  ['post', '/api/membership-requests/{requestId}/decline'],
  // part matches
  ['get', '/api/angebote/{offerId}/vorschlaege'],
  ['get', '/api/gesuche/{needId}/vorschlaege'],
  ['post', '/api/vermittlungen'],
  ['patch', '/api/vermittlungen/{vermittlungId}'],
  // part "inquiries"
  ['post', '/api/angebote/{offerId}/anfragen'],
  ['get', '/api/anfragen'],
  ['patch', '/api/anfragen/{inquiryId}'],
  ['post', '/api/anfragen/{inquiryId}/antworten'],
  // part "needs" of issue 23
  ['post', '/api/gesuche'],
  ['post', '/api/gesuche/bestaetigung'],
];


// @apidevtools/swagger-parser from the web app's node_modules, as support.mjs loads playwright-core.
const SwaggerParser = (() => {
  const require = createRequire(path.join(webRoot, 'package.json'));
  try {
    return require('@apidevtools/swagger-parser');
  } catch {
    return null;
  }
})();

let dataDir;
let server;
let baseUrl;
let adminToken;

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-openapi-');
  const dbPath = path.join(dataDir, 't.sqlite');
  // The demo Kommunen give the summary and export paths real data; the admin reaches the checks
  // behind sign-in (404, 428, 400 of bodies) that the public never gets to.
  await makeDemoDatabase(dbPath);
  const user = await runCli(['user', 'add', 'openapi-admin', '--role', 'admin', '--db', dbPath],
    { input: 'ein-langes-passwort\n' });
  assert.equal(user.code, 0, `leerstand user add: ${user.stderr}`);
  const token = await runCli(['token', 'create', '--user', 'openapi-admin', '--db', dbPath]);
  assert.equal(token.code, 0, `leerstand token create: ${token.stderr}`);
  adminToken = token.stdout.trim().split('\n').pop().trim();
  server = startServer(dbPath);
  baseUrl = await server.url;
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The media type without parameters, lower case ("application/json; charset=utf-8" → "application/json"). */
function bareType(type) {
  return (type ?? '').split(';')[0].trim().toLowerCase();
}

async function fetchDocument() {
  const response = await send('get', `${baseUrl}/api`);
  assert.equal(response.status, 200);
  return JSON.parse(response.text);
}

/** The document with every $ref resolved (a fresh copy: SwaggerParser changes what it is given). */
async function dereferenced() {
  return SwaggerParser.dereference(await fetchDocument());
}

/** Path-level parameters, overridden by operation-level ones with the same name and location. */
function parametersOf(pathItem, operation) {
  const byKey = new Map();
  for (const parameter of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])])
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  return [...byKey.values()];
}

/** Minimal values of a path parameter: every enum value, else an id that does not exist. */
function pathValues(parameter) {
  const { schema = {} } = parameter;
  if (schema.enum) return schema.enum.map(String);
  if (parameter.example !== undefined) return [String(parameter.example)];
  return [MISSING_ID];
}

/** Every concrete path of `template`: the cross product of its path parameters' values. */
function concretePaths(template, parameters) {
  let paths = [template];
  for (const parameter of parameters.filter((p) => p.in === 'path')) {
    const values = pathValues(parameter);
    paths = paths.flatMap((p) => values.map((v) => p.replace(`{${parameter.name}}`, encodeURIComponent(v))));
  }
  assert.ok(paths.every((p) => !p.includes('{')), `${template}: a path parameter is not declared`);
  return paths;
}

/** A minimal request body in the first media type the operation accepts. */
function minimalBody(operation) {
  const content = operation.requestBody?.content;
  if (!content) return {};
  const type = Object.keys(content)[0];
  if (type === 'multipart/form-data') {
    const form = new FormData();
    for (const [name, schema] of Object.entries(content[type].schema?.properties ?? {})) {
      if (schema.format === 'binary') form.append(name, new Blob(['not a map']), 'x.txt');
      else if (schema.enum) form.append(name, schema.enum[0]);
      else if (name === 'kommune') form.append(name, '12073008');
    }
    return { body: form };  // fetch sets the Content-Type with its boundary
  }
  assert.match(type, /json$/, `no minimal body for ${type}`);
  return { body: '{}', headers: { 'Content-Type': type } };
}

/** Sends one request; resolves with { status, type, problem } (problem: the parsed problem+json). */
async function send(method, url, { headers = {}, body } = {}) {
  let response;
  try {
    response = await fetch(url, { method: method.toUpperCase(), headers, body, redirect: 'manual' });
  } catch (error) {
    // Usually the server died on this or an earlier request: say so, with what it printed.
    let timer;
    await Promise.race([server.exited, new Promise((resolve) => { timer = setTimeout(resolve, 1000); })]);
    clearTimeout(timer);
    const state = server.child.exitCode ?? server.child.signalCode ?? 'still running';
    throw new Error(`${method.toUpperCase()} ${url}: ${error.cause?.message ?? error.message}; `
      + `server: ${state}; its stderr: ${server.stderr()}`);
  }
  const type = response.headers.get('content-type');
  const text = await response.text();
  let problem = null;
  if (bareType(type) === 'application/problem+json') problem = JSON.parse(text);
  return { status: response.status, type, text, problem };
}

const isExport = (template) => template.startsWith('/export/');
const notRouted = (result) => result.status === 404 && result.problem?.detail === NO_ROUTE_DETAIL;

test('GET /api serves a valid OpenAPI 3.0 document', { skip: !SwaggerParser && 'swagger-parser not installed in web/node_modules (run `npm ci` in web/)' },
  async () => {
    const response = await fetch(`${baseUrl}/api`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), OPENAPI_TYPE);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const document = await response.json();
    assert.equal(document.openapi, '3.0.3');
    // The document is served as the request reached the server.
    assert.deepEqual(document.servers.map((s) => s.url), [baseUrl]);
    // Full schema validation plus every $ref resolved (validate changes its argument: a copy).
    await SwaggerParser.validate(structuredClone(document));

    const explicit = await fetch(`${baseUrl}/api?f=json`);
    assert.equal(explicit.status, 200);
    assert.deepEqual(await explicit.json(), document);
    const html = await send('get', `${baseUrl}/api?f=html`);
    assert.equal(html.status, 400);
    assert.equal(html.problem.errors[0].field, 'f');
  });

test('the landing page links the document as service-desc', async () => {
  const landing = await (await fetch(`${baseUrl}/?f=json`)).json();
  const links = landing.links.filter((link) => link.rel === 'service-desc');
  assert.equal(links.length, 1);
  assert.equal(links[0].type, OPENAPI_TYPE);
  const response = await fetch(links[0].href);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), links[0].type);
  assert.deepEqual(await response.json(), await fetchDocument());
});

test('every documented operation exists and answers only documented statuses and media types',
  { skip: !SwaggerParser && 'swagger-parser not installed in web/node_modules', timeout: 120000 }, async (t) => {
    const document = await dereferenced();
    const callers = {
      public: {},
      admin: { Authorization: `Bearer ${adminToken}` },
    };
    for (const [template, pathItem] of Object.entries(document.paths)) {
      for (const method of METHODS.filter((m) => pathItem[m])) {
        const operation = pathItem[method];
        const parameters = parametersOf(pathItem, operation);
        await t.test(`${method.toUpperCase()} ${template}`, async (st) => {
          const documented = Object.keys(operation.responses);
          const failures = [];
          for (const concrete of concretePaths(template, parameters)) {
            for (const [who, auth] of Object.entries(callers)) {
              const headers = { ...auth };
              for (const p of parameters.filter((q) => q.in === 'header' && q.required))
                headers[p.name] = String(p.example ?? '"1"');
              const { body, headers: bodyHeaders = {} } = minimalBody(operation);
              const result = await send(method, `${baseUrl}${concrete}`,
                { headers: { ...headers, ...bodyHeaders }, body });
              const where = `${method.toUpperCase()} ${concrete} as ${who}`;
              if (notRouted(result)) {
                failures.push(`${where}: the server has no such route (404 "${NO_ROUTE_DETAIL}")`);
                continue;
              }
              if (!documented.includes(String(result.status))) {
                failures.push(`${where}: status ${result.status} is not documented (only ${documented.join(', ')})`
                  + (result.problem ? `; detail: ${result.problem.detail}` : ''));
                continue;
              }
              const content = operation.responses[result.status].content;
              if (content) {
                const types = Object.keys(content).map(bareType);
                if (!types.includes(bareType(result.type)))
                  failures.push(`${where}: ${result.status} came as ${result.type}, documented: ${types.join(', ')}`);
              }
              if (result.problem) assert.equal(result.problem.status, result.status, `${where}: problem.status`);
            }
          }
          assert.deepEqual(failures, []);
        });
      }
    }
  });

test('methods a documented path leaves out get 405 from the server', async (t) => {
  const document = await dereferenced();
  for (const [template, pathItem] of Object.entries(document.paths)) {
    const missing = METHODS.filter((m) => !pathItem[m]);
    if (missing.length === 0) continue;
    const operation = pathItem[METHODS.find((m) => pathItem[m])];
    const [concrete] = concretePaths(template, parametersOf(pathItem, operation));
    await t.test(template, async (st) => {
      for (const method of missing) {
        const result = await send(method, `${baseUrl}${concrete}`);
        assert.equal(result.status, 405,
          `${method.toUpperCase()} ${concrete}: the server answers ${result.status}; if it now supports `
          + 'this method, document it in server/http/openapi.json');
      }
    });
  }
});

test('the documented ranges and vocabularies of the items parameters are the server\'s', async () => {
  const document = await dereferenced();
  const items = document.paths['/collections/{collectionId}/items'];
  const parameters = Object.fromEntries(parametersOf(items, items.get).map((p) => [p.name, p]));
  const { minimum, maximum } = parameters.limit.schema;
  const get = (query) => send('get', `${baseUrl}/collections/vacancies/items?${query}`);
  assert.equal((await get(`limit=${maximum}`)).status, 200);
  assert.equal((await get(`limit=${minimum}`)).status, 200);
  assert.equal((await get(`limit=${maximum + 1}`)).status, 400);
  assert.equal((await get(`limit=${minimum - 1}`)).status, 400);
  assert.equal((await get(`offset=${parameters.offset.schema.minimum - 1}`)).status, 400);
  // The default page size GDAL and QGIS read from the document.
  const page = await (await fetch(`${baseUrl}/collections/buildings/items`)).json();
  const next = page.links.find((link) => link.rel === 'next');
  if (next) assert.equal(page.numberReturned, parameters.limit.schema.default);
  for (const status of parameters.status.schema.enum)
    assert.equal((await get(`status=${status}`)).status, 200, `status=${status}`);
  assert.equal((await get('status=unbekannt')).status, 400);
  for (const use of parameters.use.schema.enum)
    assert.equal((await get(`use=${use}`)).status, 200, `use=${use}`);
});

test('every route the server registers is documented', async () => {
  const document = await fetchDocument();
  const undocumented = KNOWN_ROUTES.filter(([method, route]) => !document.paths[route]?.[method])
    .map(([method, route]) => `${method.toUpperCase()} ${route}`);
  assert.deepEqual(undocumented, [], 'routes missing from server/http/openapi.json');
});

test('GDAL\'s OAPIF driver opens the service with the document in place', async (t) => {
  const probe = spawnSync('ogrinfo', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    t.skip(`ogrinfo not found (${probe.error.code}); install gdal-bin`);
    return;
  }
  const run = (args) => new Promise((resolve, reject) => {
    const child = spawn('ogrinfo', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GDAL_HTTP_TIMEOUT: '30' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const listing = await run(['-ro', '-so', `OAPIF:${baseUrl}`]);
  assert.equal(listing.code, 0, `ogrinfo: ${listing.stderr}`);
  const layers = [...listing.stdout.matchAll(/^\d+: (\S+)/gm)].map((m) => m[1]);
  // Issue 23: the offers (angebote) and the needs (gesuche) are listed after the others.
  assert.deepEqual(layers, ['kommunen', 'buildings', 'vacancies', 'zukunftsorte', 'angebote', 'gesuche']);

  // An attribute filter makes GDAL 3.6 read the API document (for queryables; newer GDAL also
  // reads the page size from it): it must find it through service-desc and go on without error.
  const filtered = await run(['-ro', '-so', '--debug', 'on', `OAPIF:${baseUrl}`, 'kommunen',
    '-where', "name = 'Angermünde'"]);
  assert.equal(filtered.code, 0, `ogrinfo: ${filtered.stderr}`);
  assert.ok(filtered.stderr.includes(`HTTP: Fetch(${baseUrl}/api)`), `GDAL did not fetch /api: ${filtered.stderr}`);
  assert.doesNotMatch(filtered.stderr, /^ERROR/m);
  assert.match(filtered.stdout, /Feature Count: [1-9]/);
});
