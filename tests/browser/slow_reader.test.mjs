// A client that downloads a large export at about 2 KB/s, while /health is asked every 200 ms
// on fresh connections: once straight at `leerstand serve`, once through nginx started by
// scripts/proxy/start with the repository's config (as `scripts/run --proxy` does).
//
// Debian's Pistache 0.0.5 spins the worker that writes to a slow reader (TOOLCHAIN P3), and
// the connections pinned to that worker waited up to seconds. The server now paces downloads
// itself (server/http/paced_body.cpp: Pistache is handed only what the socket takes), so both
// ways every /health must answer 200 within the liveness bound and the download must be
// intact. No browser is needed. Run from the repository root:
//   node --test tests/browser/slow_reader.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  binary, makeDemoDatabase, makeTempDir, repoRoot, runCli, startServer, stopServer,
} from './support.mjs';

const LIVENESS_MS = 5000;      // the only time asserted: "answered at all"
const HEALTH_EVERY_MS = 200;
const HEALTH_FOR_MS = 8000;
const READ_EVERY_MS = 500;     // the slow reader takes READ_BYTES per tick: about 2 KB/s
const READ_BYTES = 1024;
const COPIES = 10;             // the demo's 4,500 buildings, 10 times: an export of about 21 MB
const UPLOAD_MB = 2;           // small, so the body limit is cheap to cross

const proxyStart = path.join(repoRoot, 'scripts', 'proxy', 'start');
const nginxPath = ['/usr/sbin/nginx', '/usr/bin/nginx', '/sbin/nginx'].find((p) => fs.existsSync(p));

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * One GET on a fresh connection, read by Content-Length or the chunked terminator (Pistache
 * keeps the socket open after the answer: TOOLCHAIN P4). Resolves with the status (0 when no
 * complete answer came within `timeoutMs`) and the time taken.
 */
function timedGet(port, pathname, timeoutMs = LIVENESS_MS) {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const finish = (status) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(0), timeoutMs);
    socket.on('connect', () =>
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: application/json\r\n\r\n`));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = data.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      const body = data.subarray(end + 4);
      if (length ? body.length >= Number(length[1]) : body.includes('0\r\n\r\n')) finish(status);
    });
    socket.on('error', () => finish(0));
  });
}

/** Starts a download of `pathname` that takes READ_BYTES every READ_EVERY_MS. */
function slowDownload(port, pathname) {
  const socket = net.connect(port, '127.0.0.1');
  let head = Buffer.alloc(0);
  let received = 0;
  let error = null;
  socket.on('connect', () => {
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    // Paused: node reads nothing from the kernel but what read() below takes.
    socket.pause();
  });
  socket.on('error', (e) => { error = e; });
  const ticker = setInterval(() => {
    let taken = 0;
    let chunk;
    while (taken < READ_BYTES && (chunk = socket.read(Math.min(READ_BYTES - taken, socket.readableLength || 1)))
      !== null) {
      taken += chunk.length;
      if (head.length < 4096) head = Buffer.concat([head, chunk]);
    }
    received += taken;
  }, READ_EVERY_MS);
  return {
    stop() {
      clearInterval(ticker);
      socket.destroy();
      return { received, head, error };
    },
  };
}

/** Median and p99 (nearest rank) of `values`, in ms with one decimal. */
function figures(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (v) => Math.round(v * 10) / 10;
  return { median: round(rank(0.5)), p99: round(rank(0.99)), max: round(sorted.at(-1)) };
}

/** CPU seconds (user + system) the process `pid` has used; null where /proc is absent. */
function cpuSeconds(pid) {
  try {
    // Fields 14 and 15 after the ")" that ends the command name; Linux counts 100 ticks a second.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * The slow download of the export through `port`, with `parallel` /health requests (each on
 * its own fresh connection) every HEALTH_EVERY_MS meanwhile. `serverPid`: whose CPU to report.
 */
async function healthDuringSlowDownload(port, parallel, serverPid) {
  const cpuBefore = cpuSeconds(serverPid);
  const download = slowDownload(port, '/export/buildings.geojson');
  await sleep(1000);  // the export is spooled and its first bytes are out
  const pending = [];
  const started = Date.now();
  while (Date.now() - started < HEALTH_FOR_MS) {
    for (let i = 0; i < parallel; i += 1) pending.push(timedGet(port, '/health'));
    await sleep(HEALTH_EVERY_MS);
  }
  const health = await Promise.all(pending);
  const seconds = (Date.now() - started + 1000) / 1000;
  const cpuAfter = cpuSeconds(serverPid);
  const { received, head, error } = download.stop();
  const answered = health.filter((h) => h.status === 200);
  return {
    health,
    summary: {
      parallel,
      health_requests: health.length,
      answered_200_within_5s: answered.length,
      stalled_or_failed: health.length - answered.length,
      ...figures(health.map((h) => h.ms)),
      download_kb_per_s: Math.round(received / seconds / 102.4) / 10,
      server_cpu_percent: cpuBefore === null ? null : Math.round(((cpuAfter - cpuBefore) / seconds) * 100),
    },
    download: { received, head, error },
  };
}

/** The body's first bytes of a raw answer (one chunk-size line skipped if chunked). */
function bodyStart(raw) {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(0, end);
  let body = text.slice(end + 4);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) body = body.slice(body.indexOf('\r\n') + 2);
  return { head, body };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Makes a database whose buildings export is about 21 MB of GeoJSON. */
async function makeLargeDatabase(dir) {
  const db = path.join(dir, 'slow.sqlite');
  await makeDemoDatabase(db);
  const once = path.join(dir, 'buildings.geojson');
  const exported = await runCli(['export', 'buildings', '--format', 'geojson', '--db', db, '--out', once]);
  assert.equal(exported.code, 0, exported.stderr);
  const features = JSON.parse(fs.readFileSync(once, 'utf8')).features;
  const copies = [];
  for (let copy = 1; copy < COPIES; copy += 1) {
    for (const feature of features) {
      const properties = { ...feature.properties, source_ref: `${feature.properties.source_ref}-copy${copy}` };
      copies.push({ type: 'Feature', geometry: feature.geometry, properties });
    }
  }
  const many = path.join(dir, 'copies.geojson');
  fs.writeFileSync(many, JSON.stringify({ type: 'FeatureCollection', features: copies }));
  const imported = await runCli(['import', many, '--db', db]);
  assert.equal(imported.code, 0, imported.stderr);
  fs.rmSync(once);
  fs.rmSync(many);
  return { db, buildings: features.length * COPIES };
}

/** Starts nginx exactly as `scripts/run --proxy` does, through scripts/proxy/start. */
function startProxy(listenPort, backendPort, workDir) {
  const child = spawn(proxyStart, ['--listen', `127.0.0.1:${listenPort}`, '--backend', `127.0.0.1:${backendPort}`,
    '--work', workDir, '--max-upload-mb', String(UPLOAD_MB)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, exited, stderr: () => stderr };
}

async function waitForHealth(port, proxy) {
  const until = Date.now() + 15000;
  while (Date.now() < until) {
    if (proxy && proxy.child.exitCode !== null) throw new Error(`nginx exited: ${proxy.stderr()}`);
    if ((await timedGet(port, '/health', 1000)).status === 200) return;
    await sleep(100);
  }
  throw new Error(`no /health on port ${port} within 15 s${proxy ? `; nginx: ${proxy.stderr()}` : ''}`);
}

test('a slow reader of a large export does not stall /health behind nginx (and what it does without)',
  { timeout: 180000 }, async (t) => {
    assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
    const dir = makeTempDir('leerstand-slow-');
    // Started as root, nginx's workers run as nobody and must reach the temp files below.
    fs.chmodSync(dir, 0o755);
    const { db, buildings } = await makeLargeDatabase(dir);
    // As `scripts/run --proxy` does: links name nginx's address, and nginx may name the client.
    const proxyPort = await freePort();
    const server = startServer(db, ['--max-upload-mb', String(UPLOAD_MB),
      '--public-url', `http://127.0.0.1:${proxyPort}`, '--trusted-proxy', '127.0.0.1']);
    let proxy = null;
    t.after(async () => {
      if (proxy && proxy.child.exitCode === null) {
        proxy.child.kill('SIGTERM');
        await proxy.exited;
      }
      await stopServer(server);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const backendPort = Number(new URL(await server.url).port);
    const exported = await (await fetch(`http://127.0.0.1:${backendPort}/export/buildings.geojson`)).text();
    const exportSize = Buffer.byteLength(exported);
    // Paced in pieces of what the socket takes: the body arrives whole.
    assert.equal(JSON.parse(exported).features.length, buildings, 'every building in the export');
    t.diagnostic(`export of ${buildings} buildings: ${(exportSize / 1048576).toFixed(1)} MiB of GeoJSON`);
    assert.ok(exportSize > 8 * 1048576, 'the export must be far larger than the sockets\' kernel buffers');

    // Pistache picks a connection's worker by its fd number (fd % workers). One request at a
    // time mostly reuses the same fd, so it meets the spinning worker about once; a few at a
    // time spread over both workers, as browsers and tile clients do.
    /** The download's start is the export, and every /health answered. */
    const expectServedWhileSlowDownload = (result, where) => {
      assert.equal(result.download.error, null, `the slow download failed (${where}): ${result.download.error}`);
      const { head, body } = bodyStart(result.download.head);
      assert.match(head, /^HTTP\/1\.1 200 /, head);
      assert.match(head, /\r\ncontent-type: application\/geo\+json/i, head);
      // A FeatureCollection: its licences first (attribution, links), then the features.
      assert.ok(body.startsWith('{"type":"FeatureCollection","attribution":'), body.slice(0, 80));
      assert.ok(body.includes('"features":[\n{"type":"Feature"'), body.slice(0, 1000));
      const late = result.health.filter((h) => h.status !== 200);
      assert.deepEqual(late, [], `every /health ${where} answers 200 within ${LIVENESS_MS} ms`);
    };

    // Pistache picks a connection's worker by its fd number (fd % workers). One request at a
    // time mostly reuses the same fd, so it meets the writing worker about once; a few at a
    // time spread over both workers, as browsers and tile clients do.
    await t.test('straight at leerstand serve: every /health answers', async (s) => {
      for (const parallel of [1, 4]) {
        const direct = await healthDuringSlowDownload(backendPort, parallel, server.child.pid);
        s.diagnostic(`without proxy: ${JSON.stringify(direct.summary)}`);
        console.log('slow reader, without proxy:', direct.summary);
        console.log('  /health ms in order:', direct.health
          .map((h) => (h.status === 200 ? Math.round(h.ms) : 'stalled')).join(' '));
        expectServedWhileSlowDownload(direct, 'without proxy');
      }
    });

    await t.test('through nginx (scripts/proxy/start): every /health answers', {
      skip: nginxPath ? false : 'nginx not installed (Debian nginx-light; scripts/setup installs it)',
    }, async (s) => {
      proxy = startProxy(proxyPort, backendPort, path.join(dir, 'nginx'));
      await waitForHealth(proxyPort, proxy);

      for (const parallel of [1, 4]) {
        const proxied = await healthDuringSlowDownload(proxyPort, parallel, server.child.pid);
        s.diagnostic(`through nginx: ${JSON.stringify(proxied.summary)}`);
        console.log('slow reader, through nginx:', proxied.summary);
        expectServedWhileSlowDownload(proxied, 'through nginx');
      }

      // Absolute links name the proxy: the server's --public-url, never the Host it gets.
      const landing = await (await fetch(`http://127.0.0.1:${proxyPort}/?f=json`)).json();
      const self = landing.links.find((link) => link.rel === 'self');
      assert.ok(self.href.startsWith(`http://127.0.0.1:${proxyPort}/`), self.href);

      // Cross-origin writes: the proxy's own origin is same-origin, any other is refused.
      const login = (origin) => fetch(`http://127.0.0.1:${proxyPort}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin },
        body: JSON.stringify({ name: 'nobody', password: 'wrong' }),
      }).then((r) => r.status);
      assert.equal(await login(`http://127.0.0.1:${proxyPort}`), 401, 'same origin: a wrong password');
      assert.equal(await login('http://evil.example'), 403, 'a foreign origin');
      assert.equal(await login(`http://127.0.0.1:${backendPort}`), 403, 'the backend\'s origin is not the proxy\'s');

      // Body limit: nginx lets through what the server accepts (its own default is 1 MiB), and
      // refuses what is far beyond.
      const upload = (bytes) => fetch(`http://127.0.0.1:${proxyPort}/api/uploads`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: Buffer.alloc(bytes, 120),
      }).then((r) => r.status);
      assert.equal(await upload(Math.round(1.5 * 1048576)), 401, 'an anonymous upload within the limit reaches the server');
      assert.equal(await upload(2 * UPLOAD_MB * 1048576), 413, 'twice the limit');

      assert.equal(proxy.child.exitCode, null, `nginx still runs; stderr: ${proxy.stderr()}`);
    });

    // Whatever happened above, the server is alive and answers straight.
    assert.equal(server.child.exitCode, null, `the server exited; stderr: ${server.stderr()}`);
    assert.equal((await timedGet(backendPort, '/health')).status, 200);

    // SIGTERM during a slow download: the download thread gives up and the server exits by
    // itself (stopServer's 5 s, then SIGKILL, would say 'timeout').
    const reader = slowDownload(backendPort, '/export/buildings.geojson');
    await sleep(1500);
    const stopped = await stopServer(server);
    reader.stop();
    assert.equal(stopped, 0, 'the server exits cleanly within 5 s of SIGTERM during a slow download');
  });
