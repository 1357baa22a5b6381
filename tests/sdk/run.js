// Starts a real Cloudbill on 127.0.0.1 with a fresh SQLite database, creates the customers the
// tests need with the operator CLI, runs the conformance tests with Node's test runner against
// it, and stops it. Exit code: the test runner's. Usage: node run.js [path/to/cloudbill.dll]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..');
const dll = process.argv[2] || path.join(repo, 'src', 'Cloudbill.Server', 'bin', 'Debug', 'net10.0', 'cloudbill.dll');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on('error', reject);
  });
}

function cli(env, ...args) {
  const result = spawnSync('dotnet', [dll, ...args], { env, encoding: 'utf8', cwd: os.tmpdir(), timeout: 300000 });   // a hang, not a slow machine
  if (result.status !== 0)
    throw new Error(`cloudbill ${args.join(' ')} exited ${result.status}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

function createCustomer(env, email, balance) {
  const out = cli(env, 'accounts', 'create', '--email', email, '--password', 'Customer-2026!', '--balance', balance);
  const id = /AccessKey ID\W+(LTAI\w+)/.exec(out);
  const secret = /AccessKey secret\W+(\w+)/.exec(out);
  if (!id || !secret)
    throw new Error(`No AccessKey pair in the output of accounts create:\n${out}`);
  return { accessKeyId: id[1], accessKeySecret: secret[1], email };
}

async function waitHealthy(base, server, log) {
  const deadline = Date.now() + 300000;   // a hang, not a slow machine: the answer is the signal
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`The server exited with ${server.exitCode}:\n${log.join('')}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok)
        return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The server did not become healthy in 5 minutes:\n${log.join('')}`);
}

async function main() {
  if (!fs.existsSync(dll))
    throw new Error(`${dll} does not exist; build the solution first (dotnet build Cloudbill.slnx).`);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudbill-sdk-'));
  const port = await freePort();
  const env = {
    ...process.env,
    DOTNET_NOLOGO: '1',
    NO_COLOR: '1',
    // As `dotnet run`: the demo customer (the tests call the API as it) and the sandbox exist only in Development.
    ASPNETCORE_ENVIRONMENT: 'Development',
    DOTNET_ENVIRONMENT: 'Development',
    Cloudbill__Database__Provider: 'Sqlite',
    ConnectionStrings__Cloudbill: `Data Source=${path.join(data, 'cloudbill.db')}`,
    Cloudbill__Catalog__Path: path.join(repo, 'data', 'catalog'),
    Cloudbill__Payments__SandboxDirectory: path.join(data, 'sandbox'),
    Cloudbill__Provisioning__SimulatedDelaySeconds: '0',
    Cloudbill__Engine__IntervalSeconds: '0',
    // webhooks.test.js registers a receiver: the dispatcher looks every second.
    Cloudbill__Webhooks__PollSeconds: '1',
  };
  const log = [];
  const server = spawn('dotnet', [dll, '--urls', `http://127.0.0.1:${port}`], { env, cwd: os.tmpdir() });
  server.stdout.on('data', (d) => log.push(d.toString()));
  server.stderr.on('data', (d) => log.push(d.toString()));
  let status = 1;
  try {
    await waitHealthy(`http://127.0.0.1:${port}`, server, log);
    const second = createCustomer(env, 'second@example.com', '100000.00');
    const broke = createCustomer(env, 'broke@example.com', '0.00');
    const testEnv = {
      ...process.env,
      CLOUDBILL_ENDPOINT: `127.0.0.1:${port}`,
      CLOUDBILL_DB: path.join(data, 'cloudbill.db'),
      CLOUDBILL_CATALOG: path.join(repo, 'data', 'catalog'),
      CLOUDBILL_SECOND: JSON.stringify(second),
      CLOUDBILL_BROKE: JSON.stringify(broke),
      // The operator verbs against the same server (webhooks.test.js adds its endpoint with one).
      CLOUDBILL_DLL: dll,
      CLOUDBILL_CLI_ENV: JSON.stringify(Object.fromEntries(Object.entries(env).filter(([k]) => /^(Cloudbill__|ConnectionStrings__|DOTNET_|ASPNETCORE_|NO_COLOR)/.test(k)))),
    };
    // provider-cloud.test.js runs last and alone: its engine run releases every instance of the database.
    const last = 'provider-cloud.test.js';
    const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && f !== last).map((f) => path.join(__dirname, f));
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { env: testEnv, stdio: 'inherit', timeout: 600000 });
    const cloud = spawnSync(process.execPath, ['--test', '--test-reporter=spec', path.join(__dirname, last)], { env: testEnv, stdio: 'inherit', timeout: 600000 });
    status = run.status === 0 && cloud.status === 0 ? 0 : 1;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => { if (server.exitCode !== null) r(); else server.on('exit', r); setTimeout(r, 10000); });
    if (status !== 0)
      process.stderr.write(`\n--- server log ---\n${log.join('').slice(-20000)}\n`);
    fs.rmSync(data, { recursive: true, force: true });
  }
  process.exit(status);
}

main().catch((e) => { console.error(e); process.exit(1); });
