// Issue 21, acceptance: an independent verifier accepts Cloudbill's webhooks. A Node receiver on
// 127.0.0.1 is added with `cloudbill webhooks add`; a RenewInstance through the official SDK
// makes events; every webhook that arrives is verified with the `standardwebhooks` package's
// Webhook.verify, and that verifier rejects a tampered body and an old timestamp.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const os = require('node:os');
const { spawnSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { Webhook, WebhookVerificationError } = require('standardwebhooks');
const { Bss, client, sql, accountId, demo } = require('./support');

function cli(...args) {
  const env = { ...process.env, ...JSON.parse(process.env.CLOUDBILL_CLI_ENV) };
  const result = spawnSync('dotnet', [process.env.CLOUDBILL_DLL, ...args], { env, encoding: 'utf8', cwd: os.tmpdir(), timeout: 300000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A receiver as a provider would write one: the raw body and the headers of every POST, answered 204. */
async function receiver() {
  const received = [];
  const waiting = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
      for (const w of waiting.filter((w) => w.until(received))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/cloudbill/events`,
    received,
    // The arrival is the signal; the bound only stops a hang.
    when: (until) => until(received) ? Promise.resolve() : new Promise((resolve, reject) => {
      waiting.push({ until, resolve });
      setTimeout(() => reject(new Error(`Not received within 3 minutes; got ${received.map((r) => JSON.parse(r.body).type).join(', ')}`)), 180000).unref();
    }),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

test('every webhook verifies with standardwebhooks; a tampered body and an old timestamp do not', async () => {
  const hook = await receiver();
  try {
    const added = cli('webhooks', 'add', '--url', hook.url, '--description', 'node verifier');
    assert.equal(added.status, 0, added.stderr);
    const secret = /Signing secret: (whsec_\S+)/.exec(added.stdout)[1];
    const verifier = new Webhook(secret);

    // A manual-renewal ECS instance of the demo that the other tests leave alone.
    const demoId = accountId(demo.email);
    const instance = sql(`SELECT Id FROM Instances WHERE AccountId = ${demoId} AND ProductCode = 'ecs' AND RenewalMethod = 'ManualRenewal'
      AND ReleasedAt IS NULL AND ExpiresAt IS NOT NULL AND Id NOT IN ('i-7rro2cudkn6fwspbeqpk', 'i-7u3lvb18yvefgti5tenk', 'i-tv263thw5i7jxb02z24y') ORDER BY Id LIMIT 1`)[0].Id;
    const renewed = await client(demo, 'v3').renewInstance(new Bss.RenewInstanceRequest({ instanceId: instance, productCode: 'ecs', renewPeriod: 1, clientToken: `webhooks-${randomUUID()}` }));
    const orderId = Number(renewed.body.data.orderId);

    const isRenewal = (r) => { const e = JSON.parse(r.body); return e.type === 'instance.renewed' && e.data.instance_id === instance; };
    await hook.when((all) => all.some(isRenewal) && all.some((r) => JSON.parse(r.body).type === 'order.paid' && JSON.parse(r.body).data.order_id === orderId));

    assert.ok(hook.received.length >= 2);
    for (const r of hook.received) {
      // verify returns the parsed payload, or throws.
      const event = verifier.verify(r.body, r.headers);
      assert.equal(event.id, r.headers['webhook-id']);
      assert.match(r.headers['webhook-id'], /^evt_[0-9a-f]{24}$/);
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      // The event is the one the outbox holds.
      const row = sql(`SELECT Type, InstanceId FROM LifecycleEvents WHERE EventId = '${event.id}'`)[0];
      assert.equal(row.Type, event.type);
    }
    const renewal = hook.received.find(isRenewal);
    const event = JSON.parse(renewal.body);
    assert.equal(event.data.order_id, orderId);
    assert.equal(event.account_id, demoId);

    // A body changed on the way is rejected.
    const tampered = renewal.body.replace(`"order_id":${orderId}`, `"order_id":${orderId + 1}`);
    assert.notEqual(tampered, renewal.body);
    assert.throws(() => verifier.verify(tampered, renewal.headers), WebhookVerificationError);
    // A replayed request with an old timestamp is rejected, even with a valid signature for it.
    const old = new Date(Date.now() - 10 * 60 * 1000);
    const oldHeaders = { 'webhook-id': renewal.headers['webhook-id'], 'webhook-timestamp': String(Math.floor(old.getTime() / 1000)), 'webhook-signature': verifier.sign(renewal.headers['webhook-id'], old, renewal.body) };
    assert.throws(() => verifier.verify(renewal.body, oldHeaders), /timestamp too old/);
    // And another endpoint's secret does not verify it.
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(renewal.body, renewal.headers), WebhookVerificationError);

    // The delivery log shows the attempts with their status.
    const id = /Webhook endpoint (\d+) added/.exec(added.stdout)[1];
    const log = cli('webhooks', 'log', id);
    assert.equal(log.status, 0, log.stderr);
    assert.match(log.stdout, new RegExp(`${event.id}\\s+instance\\.renewed\\s+1 204`));
  } finally {
    await hook.close();
  }
});
