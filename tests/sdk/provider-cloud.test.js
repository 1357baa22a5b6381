// Issue 21, acceptance: tried as a new provider would. docs/examples/provider-cloud.js, written
// from docs/webhooks.md alone, is connected with the two verbs the docs name; a purchase through
// the official SDK becomes a running instance (Normal for the customer), and the release the
// engine makes after expiry becomes a deleted resource that Cloudbill reports Released. The
// script refuses a request that is not signed with its secret. run.js runs this file last, alone:
// its engine run moves every instance of the shared database to the far future.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, spawnSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { Bss, client, sql, ticksToIso } = require('./support');

const script = path.resolve(__dirname, '..', '..', 'docs', 'examples', 'provider-cloud.js');

function cli(...args) {
  const env = { ...process.env, ...JSON.parse(process.env.CLOUDBILL_CLI_ENV) };
  const result = spawnSync('dotnet', [process.env.CLOUDBILL_DLL, ...args], { env, encoding: 'utf8', cwd: os.tmpdir(), timeout: 300000 });
  assert.equal(result.status, 0, `cloudbill ${args.join(' ')}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on('error', reject);
  });
}

/** The script as a child process; its JSON lines are the signals. */
function startCloud(env) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env, NODE_PATH: path.join(__dirname, 'node_modules') } });
  const lines = [];
  const waiting = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  readline.createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text);
    lines.push(line);
    for (const w of waiting.filter((w) => w.match(line))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(line);
    }
  });
  return {
    lines,
    stop: () => child.kill('SIGTERM'),
    // The line is the signal; the bound only stops a hang.
    next: (match) => lines.find(match) ? Promise.resolve(lines.find(match)) : new Promise((resolve, reject) => {
      waiting.push({ match, resolve });
      setTimeout(() => reject(new Error(`No such line within 3 minutes; got ${JSON.stringify(lines)} ${stderr}`)), 180000).unref();
    }),
  };
}

test('the example cloud turns a purchase into a running instance and a release into a deleted one', async () => {
  // The server runs as `dotnet run` does, with the sandbox's simulated cloud connected: this cloud
  // replaces it, so its endpoint is disabled first (the sandbox would otherwise report first).
  const sandboxEndpoint = /^(\d+)\s+\S+\/sandbox\/cloud\/webhooks\s/m.exec(cli('webhooks', 'list'))[1];
  cli('webhooks', 'disable', sandboxEndpoint, '--reason', 'replaced by the example cloud');
  const key = /Send it as:\s+Authorization: Bearer (\S+)/.exec(cli('provider-keys', 'add', '--description', 'example cloud'))[1];
  const port = await freePort();
  const added = cli('webhooks', 'add', '--url', `http://127.0.0.1:${port}/cloudbill/events`, '--description', 'example cloud');
  const secret = /Signing secret: (whsec_\S+)/.exec(added)[1];
  const cloud = startCloud({ CLOUDBILL_URL: `http://${process.env.CLOUDBILL_ENDPOINT}`, CLOUDBILL_PROVIDER_KEY: key, CLOUDBILL_WEBHOOK_SECRET: secret, PORT: String(port) });
  try {
    await cloud.next((l) => l.did === 'listening');

    // Someone without the secret is refused.
    const forged = await fetch(`http://127.0.0.1:${port}/cloudbill/events`, {
      method: 'POST', body: '{"type":"instance.released","data":{"instance_id":"i-x"}}',
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' },
    });
    assert.equal(forged.status, 401);

    // A new customer buys a month of ECS through the official SDK.
    const created = cli('accounts', 'create', '--email', `cloud-${randomUUID()}@example.com`, '--password', 'Customer-2026!', '--balance', '2000.00');
    const keys = { accessKeyId: /AccessKey ID\W+(LTAI\w+)/.exec(created)[1], accessKeySecret: /AccessKey secret\W+(\w+)/.exec(created)[1] };
    const bss = client(keys, 'v3');
    const bought = await bss.createInstance(new Bss.CreateInstanceRequest({
      productCode: 'ecs', subscriptionType: 'Subscription', period: 1, clientToken: `cloud-${randomUUID()}`,
      parameter: [new Bss.CreateInstanceRequestParameter({ code: 'Region', value: 'cn-hangzhou' }), new Bss.CreateInstanceRequestParameter({ code: 'InstanceType', value: 'ecs.g7.large' })],
    }));
    const { instanceId } = bought.body.data;

    // instance.create_requested → the script → POST /provider/v1/instances/{id}/created.
    assert.deepEqual(await cloud.next((l) => l.did === 'running' && l.instance === instanceId), { did: 'running', instance: instanceId, state: 'Ready' });
    const listed = await bss.queryAvailableInstances(new Bss.QueryAvailableInstancesRequest({ instanceIDs: instanceId }));
    assert.equal(listed.body.data.instanceList[0].status, 'Normal');

    // Not renewed: expired, stopped 15 days later, released 15 days after that (engine run at expiry + 31 days).
    const expires = new Date(ticksToIso(sql(`SELECT ExpiresAt FROM Instances WHERE Id = '${instanceId}'`)[0].ExpiresAt));
    cli('engine', 'run', '--at', new Date(expires.getTime() + 31 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));
    assert.deepEqual(await cloud.next((l) => l.did === 'stopped' && l.instance === instanceId), { did: 'stopped', instance: instanceId, reason: 'expired' });
    assert.deepEqual(await cloud.next((l) => l.did === 'deleted' && l.instance === instanceId),
      { did: 'deleted', instance: instanceId, reason: 'expired', status: 200, state: 'Released' });
    assert.deepEqual(cloud.lines.filter((l) => l.did === 'error'), []);
  } finally {
    cloud.stop();
  }
});
