// A provider's cloud connected to Cloudbill, written from docs/webhooks.md alone: it receives the
// lifecycle events as Standard Webhooks, verifies each with the `standardwebhooks` package, takes
// each webhook-id once, and calls the provider API back. Its "resources" are entries in a map: put
// your own create, stop, start and delete calls where the comments say.
//
//   cloudbill provider-keys add --description "my cloud"          # prints pk_… and pks_…
//   cloudbill webhooks add --url http://127.0.0.1:8600/cloudbill/events   # prints whsec_…
//   CLOUDBILL_URL=http://127.0.0.1:5080 CLOUDBILL_PROVIDER_KEY=pk_….pks_… \
//   CLOUDBILL_WEBHOOK_SECRET=whsec_… PORT=8600 node docs/examples/provider-cloud.js
//
// It prints one JSON line per thing it does ({"did":"listening"|"running"|"stopped"|"started"|
// "deleted"|"refused"|"error", …}), which tests/sdk/provider-cloud.test.js reads.
'use strict';
const http = require('node:http');
const { Webhook } = require('standardwebhooks');

const cloudbill = process.env.CLOUDBILL_URL.replace(/\/$/, '');
const providerKey = process.env.CLOUDBILL_PROVIDER_KEY;
const verifier = new Webhook(process.env.CLOUDBILL_WEBHOOK_SECRET);
const port = Number(process.env.PORT || 8600);

const taken = new Set();          // webhook-ids already handled: delivery is at least once
const resources = new Map();      // instance id → 'creating' | 'running' | 'stopped'

const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** The provider API: JSON answers, a problem+json with a `code` when refused. */
async function provider(method, path, body) {
  const response = await fetch(`${cloudbill}/provider/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${providerKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  return { status: response.status, answer };
}

async function handle(event) {
  const id = event.data.instance_id;
  switch (event.type) {
    case 'instance.create_requested': {
      resources.set(id, 'creating');
      // Create the resource here (event.data: product, spec, region, name). If that fails:
      //   await provider('POST', `/instances/${id}/failed`, { reason: 'no capacity' });
      const { status, answer } = await provider('POST', `/instances/${id}/created`);
      if (status === 200) {
        resources.set(id, 'running');
        say({ did: 'running', instance: id, state: answer.state });
      } else {
        resources.delete(id);   // 409: released meanwhile; 404: not Cloudbill's
        say({ did: 'refused', instance: id, status, code: answer.code });
      }
      break;
    }
    case 'instance.suspended':
      if (resources.has(id)) {
        resources.set(id, 'stopped');   // stop it, keep its data
        say({ did: 'stopped', instance: id, reason: event.data.reason });
      }
      break;
    case 'instance.resumed':
      if (resources.has(id)) {
        resources.set(id, 'running');   // start it again
        say({ did: 'started', instance: id, reason: event.data.reason });
      }
      break;
    case 'instance.released': {
      resources.delete(id);             // delete it and its data
      // Cloudbill is the source of truth: read the instance back to confirm.
      const { status, answer } = await provider('GET', `/instances/${id}`);
      say({ did: 'deleted', instance: id, reason: event.data.reason, status, state: answer.state });
      break;
    }
    default:
      break;                            // order.paid, instance.renewed…: nothing to do for a cloud
  }
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/cloudbill/events') {
    response.writeHead(404).end();
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');   // verify the body exactly as received
    let event;
    try {
      event = verifier.verify(raw, request.headers);        // signature and timestamp (5 minutes)
    } catch (error) {
      response.writeHead(401, { 'content-type': 'text/plain' }).end(`not verified: ${error.message}`);
      return;
    }
    const id = request.headers['webhook-id'];
    // Answer at once (Cloudbill waits 10 s at most), then do the work.
    response.writeHead(204).end();
    if (taken.has(id))
      return;
    taken.add(id);
    handle(event).catch((error) => {
      taken.delete(id);   // not done: a redelivery or a replay may try again
      say({ did: 'error', event: id, type: event.type, message: error.message });
    });
  });
});

server.listen(port, '127.0.0.1', () => say({ did: 'listening', port: server.address().port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
