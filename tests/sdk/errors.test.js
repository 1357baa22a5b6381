// Refused calls surface in the SDK as ClientError or ThrottlingError with the right code, and
// change nothing; RenewInstance with one client token renews once, however often it is sent.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { RuntimeOptions } = require('@darabonba/typescript');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const { Bss, client, sql, ticksToIso, snapshot, failure, demo, second } = require('./support');

const API_HK = 'i-tv263thw5i7jxb02z24y'; // the demo's api-hk-02

async function refusedWithoutChange(email, call, name, code) {
  const before = snapshot(email);
  const e = await failure(call());
  assert.equal(e.name, name, `${e.name}: ${e.message}`);
  assert.equal(e.code, code, e.message);
  assert.ok(e.statusCode >= 400 && e.statusCode < 500, `status ${e.statusCode}`);
  assert.ok(e.requestId, 'the error carries the request id');
  assert.equal(snapshot(email), before, 'a refused call changes nothing');
  return e;
}

for (const mode of ['v3', 'v1']) {
  test(`${mode}: a wrong secret is SignatureDoesNotMatch`, async () => {
    const wrong = client({ ...demo, accessKeySecret: 'not-the-secret' }, mode);
    await refusedWithoutChange(demo.email, () => wrong.renewInstance(new Bss.RenewInstanceRequest({ instanceId: API_HK, productCode: 'ecs', renewPeriod: 1 })), 'ClientError', 'SignatureDoesNotMatch');
  });

  test(`${mode}: an unknown AccessKey is InvalidAccessKeyId.NotFound`, async () => {
    const nobody = client({ accessKeyId: 'LTAInobodyAtAll', accessKeySecret: 'x' }, mode);
    await refusedWithoutChange(demo.email, () => nobody.queryAccountBalance(), 'ClientError', 'InvalidAccessKeyId.NotFound');
  });

  test(`${mode}: an unknown action is InvalidAction.NotFound`, async () => {
    const bss = client(demo, mode);
    const params = new $OpenApiUtil.Params({ action: 'DescribeEverything', version: '2017-12-14', protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
    await refusedWithoutChange(demo.email, () => bss.callApi(params, new $OpenApiUtil.OpenApiRequest({}), new RuntimeOptions({})), 'ClientError', 'InvalidAction.NotFound');
  });

  test(`${mode}: a missing required parameter is MissingParameter`, async () => {
    const bss = client(demo, mode);
    const e = await refusedWithoutChange(demo.email, () => bss.renewInstance(new Bss.RenewInstanceRequest({ productCode: 'ecs', renewPeriod: 1 })), 'ClientError', 'MissingParameter');
    assert.match(e.message, /InstanceId/);
  });

  test(`${mode}: an invalid value is InvalidParameter`, async () => {
    const bss = client(demo, mode);
    await refusedWithoutChange(demo.email, () => bss.setRenewal(new Bss.SetRenewalRequest({ instanceIDs: API_HK, productCode: 'ecs', renewalStatus: 'Sometimes' })), 'ClientError', 'InvalidParameter');
    await refusedWithoutChange(demo.email, () => bss.renewInstance(new Bss.RenewInstanceRequest({ instanceId: API_HK, productCode: 'rds', renewPeriod: 1 })), 'ClientError', 'InvalidParameter');
    await refusedWithoutChange(demo.email, () => bss.renewInstance(new Bss.RenewInstanceRequest({ instanceId: API_HK, productCode: 'ecs', renewPeriod: 10 })), 'ClientError', 'Renewal.DurationNotOffered');
  });

  test(`${mode}: another customer's instance id is not found and nobody's instance changes`, async () => {
    const other = client(second, mode);
    const demoBefore = snapshot(demo.email);
    await refusedWithoutChange(second.email, () => other.renewInstance(new Bss.RenewInstanceRequest({ instanceId: API_HK, productCode: 'ecs', renewPeriod: 1 })), 'ClientError', 'Instance.NotFound');
    await refusedWithoutChange(second.email, () => other.setRenewal(new Bss.SetRenewalRequest({ instanceIDs: API_HK, productCode: 'ecs', renewalStatus: 'NotRenewal' })), 'ClientError', 'Instance.NotFound');
    const listed = await other.queryAvailableInstances(new Bss.QueryAvailableInstancesRequest({ instanceIDs: API_HK }));
    assert.equal(listed.body.data.totalCount, 0);
    assert.equal(snapshot(demo.email), demoBefore);
  });
}

test('RenewInstance with one ClientToken, sent 20 times at once, renews once', async () => {
  const bss = client(demo, 'v3');
  const before = sql(`SELECT ExpiresAt FROM Instances WHERE Id = '${API_HK}'`)[0].ExpiresAt;
  const token = `parallel-${Date.now()}`;
  const results = await Promise.allSettled(Array.from({ length: 20 }, () =>
    bss.renewInstance(new Bss.RenewInstanceRequest({ instanceId: API_HK, productCode: 'ecs', renewPeriod: 1, clientToken: token }))));
  const failed = results.filter((r) => r.status === 'rejected');
  assert.deepEqual(failed.map((r) => `${r.reason.code}: ${r.reason.message}`), []);
  const orderIds = new Set(results.map((r) => r.value.body.data.orderId));
  assert.equal(orderIds.size, 1);
  assert.equal(sql(`SELECT COUNT(*) AS n FROM Orders WHERE ClientToken = '${token}'`)[0].n, 1);
  const after = sql(`SELECT ExpiresAt FROM Instances WHERE Id = '${API_HK}'`)[0].ExpiresAt;
  const line = sql(`SELECT l.ExpiresBefore, l.ExpiresAfter FROM OrderLines l WHERE l.OrderId = ${[...orderIds][0]}`)[0];
  assert.equal(line.ExpiresBefore, before);
  assert.equal(ticksToIso(after), ticksToIso(line.ExpiresAfter));
});

test('Calls over the quota are ThrottlingError Throttling.User and change nothing', async () => {
  // QueryAccountBalance: 10 calls a second per AccessKey (Alibaba's quota, the default).
  const bss = client(second, 'v3');
  const before = snapshot(second.email);
  const results = await Promise.allSettled(Array.from({ length: 30 }, () => bss.queryAccountBalance()));
  const throttled = results.filter((r) => r.status === 'rejected');
  assert.ok(throttled.length >= 10, `${throttled.length} of 30 throttled`);
  for (const r of throttled) {
    assert.equal(r.reason.name, 'ThrottlingError');
    assert.equal(r.reason.code, 'Throttling.User');
  }
  assert.ok(results.some((r) => r.status === 'fulfilled'));
  assert.equal(snapshot(second.email), before);
});
