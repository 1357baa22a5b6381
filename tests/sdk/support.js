// What the conformance tests share: SDK clients for each signature, and Cloudbill's own view of
// the same customer (its SQLite database, its console page) to check the API's answers against.
'use strict';
const { execFileSync } = require('node:child_process');
const Bss = require('@alicloud/bssopenapi20171214');
const { $OpenApiUtil } = require('@alicloud/openapi-core');

const endpoint = process.env.CLOUDBILL_ENDPOINT;
const database = process.env.CLOUDBILL_DB;
if (!endpoint || !database)
  throw new Error('Run the conformance tests with `node run.js`: it starts the server they talk to.');

// The README's demo pair, seeded on the first start.
const demo = { accessKeyId: 'LTAI5tCloudbillDemo00001', accessKeySecret: 'CloudbillDemoSecret00000000001', email: 'demo@cloudbill.local' };
const second = JSON.parse(process.env.CLOUDBILL_SECOND);
const broke = JSON.parse(process.env.CLOUDBILL_BROKE);

/** The official client, as a customer would configure it; `v1` picks the legacy HMAC-SHA1 signature. */
function client(keys, mode) {
  return new Bss.default(new $OpenApiUtil.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    endpoint,
    protocol: 'HTTP',
    readTimeout: 30000,
    connectTimeout: 30000,
    ...(mode === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
  }));
}

/** Rows from Cloudbill's database (the sqlite3 shell, read-only). */
function sql(query) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', database, query], { encoding: 'utf8' });
  return out.trim() === '' ? [] : JSON.parse(out);
}

function accountId(email) {
  return sql(`SELECT Id FROM BillingAccounts WHERE Email = '${email}'`)[0].Id;
}

/** SQLite holds instants as UTC ticks (docs/decisions/0003). */
function ticksToIso(ticks) {
  if (ticks === null || ticks === undefined)
    return null;
  return new Date(Number((BigInt(ticks) - 621355968000000000n) / 10000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function fen(text) {
  const [yuan, cents = '00'] = String(text).split('.');
  const sign = yuan.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(yuan)) * 100 + Number(cents.padEnd(2, '0')));
}

function cashFen(email) {
  return sql(`SELECT l.BalanceFen AS b FROM LedgerAccounts l JOIN BillingAccounts a ON a.Id = l.BillingAccountId WHERE a.Email = '${email}' AND l.Kind = 'CustomerCash'`)[0]?.b ?? 0;
}

/** A snapshot of everything a call could change for the customer, to prove a refused call changed nothing. */
function snapshot(email) {
  const id = accountId(email);
  return JSON.stringify({
    ledger: sql(`SELECT Id, BalanceFen FROM LedgerAccounts WHERE BillingAccountId = ${id} ORDER BY Id`),
    instances: sql(`SELECT Id, ExpiresAt, RenewalMethod, AutoRenewPeriodMonths, UnpaidOrderId, Version FROM Instances WHERE AccountId = ${id} ORDER BY Id`),
    orders: sql(`SELECT Id, Status FROM Orders WHERE AccountId = ${id} ORDER BY Id`),
    coupons: sql(`SELECT Id, RemainingFen, FrozenByOrderId FROM Coupons WHERE AccountId = ${id} ORDER BY Id`),
  });
}

/** Cloudbill's own My page (Costs), signed in as the customer: the Available Credit it shows. */
async function consoleAvailableCredit(email, password) {
  const base = `http://${endpoint}`;
  const jar = new Map();
  const cookies = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response) => {
    for (const c of response.headers.getSetCookie())
      jar.set(c.split('=')[0], c.slice(c.indexOf('=') + 1).split(';')[0]);
  };
  const form = await fetch(`${base}/signin`, { headers: { cookie: cookies() } });
  keep(form);
  const html = await form.text();
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0]);
    const value = /value="([^"]*)"/.exec(m[0]);
    if (name)
      fields.set(name[1], value ? value[1].replace(/&amp;/g, '&') : '');
  }
  fields.set('Input.Email', email);
  fields.set('Input.Password', password);
  const signedIn = await fetch(`${base}/signin`, { method: 'POST', body: fields, redirect: 'manual', headers: { cookie: cookies(), 'content-type': 'application/x-www-form-urlencoded' } });
  keep(signedIn);
  const home = await (await fetch(`${base}/my`, { headers: { cookie: cookies() } })).text();
  const credit = /data-testid="available-credit"[^>]*>([^<]+)</.exec(home);
  if (!credit)
    throw new Error(`The My page shows no Available Credit (sign-in answered ${signedIn.status}).`);
  // The app writes ¥5,000.00 (and -¥5.00); the API a plain 5000.00.
  return credit[1].trim().replace(/,/g, '').replace('&#xA5;', '').replace('¥', '');
}

/** The SDK's error for a call that must fail. */
async function failure(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('The call succeeded but was expected to fail.');
}

module.exports = { Bss, client, sql, accountId, ticksToIso, fen, cashFen, snapshot, consoleAvailableCredit, failure, demo, second, broke };
