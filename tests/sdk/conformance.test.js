// Every supported action through the official SDK (@alicloud/bssopenapi20171214 4.1.1), with the
// default V3 signature and with V1 (`signatureAlgorithm: 'v2'`), against a real Cloudbill; each
// answer is checked against Cloudbill's own records of the same customer.
'use strict';
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { Bss, client, sql, accountId, ticksToIso, fen, cashFen, consoleAvailableCredit, demo, second, broke } = require('./support');

const WEB_HZ = 'i-7rro2cudkn6fwspbeqpk'; // the demo's web-hz-01: ECS ecs.g7.large in China (Hangzhou), 330.00 a month
const catalog = JSON.parse(fs.readFileSync(path.join(process.env.CLOUDBILL_CATALOG, 'products', 'ecs.json'), 'utf8'));
const monthly = (spec, region) => fen(catalog.specs.find((s) => s.code === spec).prices[region].monthly);

/** R1.2 in Asia/Shanghai: calendar months, clamped to the month's end. */
function addMonthsShanghai(iso, months) {
  const local = new Date(Date.parse(iso) + 8 * 3600 * 1000);
  const y = local.getUTCFullYear(), m = local.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(local.getUTCDate(), last);
  const t = Date.UTC(y, m, day, local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()) - 8 * 3600 * 1000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function instanceRow(id) {
  return sql(`SELECT Id, AccountId, ProductCode, ExpiresAt, RenewalMethod, AutoRenewPeriodMonths, CreatedByOrderId FROM Instances WHERE Id = '${id}'`)[0];
}

for (const mode of ['v3', 'v1']) {
  describe(`${mode} signature`, () => {
    const bss = client(demo, mode);
    const other = client(second, mode);

    test('QueryAccountBalance shows the ledger balance and what the console page shows', async () => {
      const res = await bss.queryAccountBalance();
      assert.equal(res.statusCode, 200);
      assert.equal(res.body.code, 'Success');
      assert.equal(res.body.success, true);
      const data = res.body.data;
      assert.equal(fen(data.availableCashAmount), cashFen(demo.email));
      assert.equal(data.availableAmount, await consoleAvailableCredit(demo.email, 'Demo-2026!'));
      assert.equal(data.currency, 'CNY');
      assert.match(data.creditAmount, /^\d+\.\d{2}$/);
    });

    test('QueryAvailableInstances pages the subscription instances with their stored expiry and renewal method', async () => {
      const res = await bss.queryAvailableInstances(new Bss.QueryAvailableInstancesRequest({ productCode: 'ecs', pageNum: 1, pageSize: 20 }));
      const data = res.body.data;
      const live = sql(`SELECT Id FROM Instances WHERE AccountId = ${accountId(demo.email)} AND ProductCode = 'ecs' AND ChargeType = 'Subscription' AND ReleasedAt IS NULL`);
      assert.equal(data.totalCount, live.length);
      assert.equal(data.instanceList.length, live.length);
      assert.equal(data.pageNum, 1);
      assert.equal(data.pageSize, 20);
      for (const instance of data.instanceList) {
        const row = instanceRow(instance.instanceID);
        assert.equal(instance.endTime, ticksToIso(row.ExpiresAt));
        assert.equal(instance.renewStatus, row.RenewalMethod);
        assert.equal(instance.productCode, 'ecs');
        assert.equal(instance.subscriptionType, 'Subscription');
        assert.ok(['Creating', 'Normal', 'WaitForExpire', 'Expired'].includes(instance.status));
        assert.match(instance.createTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
      const one = await bss.queryAvailableInstances(new Bss.QueryAvailableInstancesRequest({ instanceIDs: WEB_HZ, pageSize: 5 }));
      assert.deepEqual(one.body.data.instanceList.map((i) => i.instanceID), [WEB_HZ]);
      const page2 = await bss.queryAvailableInstances(new Bss.QueryAvailableInstancesRequest({ pageNum: 2, pageSize: 3 }));
      assert.equal(page2.body.data.instanceList.length, 3);
    });

    test('RenewInstance adds the months to the stored expiry, charges the balance and uses the best coupon', async () => {
      const before = instanceRow(WEB_HZ);
      const cash = cashFen(demo.email);
      const coupons = (await bss.queryCashCoupons(new Bss.QueryCashCouponsRequest({ effectiveOrNot: true }))).body.data.cashCoupon;
      const res = await bss.renewInstance(new Bss.RenewInstanceRequest({ instanceId: WEB_HZ, productCode: 'ecs', renewPeriod: 1, clientToken: `renew-${mode}-${randomUUID()}` }));
      const orderId = res.body.data.orderId;
      assert.equal(typeof orderId, 'string');
      const order = sql(`SELECT Status, Type, OriginalPriceFen, CouponDeductionFen, PayableFen, CouponId FROM Orders WHERE Id = ${orderId}`)[0];
      assert.equal(order.Status, 'Paid');
      assert.equal(order.Type, 'Renew');
      assert.equal(order.OriginalPriceFen, monthly('ecs.g7.large', 'cn-hangzhou'));
      assert.ok(order.CouponDeductionFen > 0, 'a demo coupon applies to an ECS renewal of 330.00');

      const after = instanceRow(WEB_HZ);
      assert.equal(ticksToIso(after.ExpiresAt), addMonthsShanghai(ticksToIso(before.ExpiresAt), 1));
      assert.equal(cashFen(demo.email), cash - order.PayableFen);
      const listed = await bss.queryAvailableInstances(new Bss.QueryAvailableInstancesRequest({ instanceIDs: WEB_HZ }));
      assert.equal(listed.body.data.instanceList[0].endTime, ticksToIso(after.ExpiresAt));

      // The coupon after use: its balance went down by the deduction, as stored.
      const used = (await bss.queryCashCoupons(new Bss.QueryCashCouponsRequest({}))).body.data.cashCoupon.find((c) => c.cashCouponId === order.CouponId);
      const was = coupons.find((c) => c.cashCouponId === order.CouponId);
      assert.equal(fen(used.balance), fen(was.balance) - order.CouponDeductionFen);
      assert.equal(fen(used.balance), sql(`SELECT RemainingFen FROM Coupons WHERE Id = ${order.CouponId}`)[0].RemainingFen);
    });

    test('SetRenewal sets the renewal method and period the database then holds', async () => {
      const target = 'i-7u3lvb18yvefgti5tenk'; // batch-bj-01
      await bss.setRenewal(new Bss.SetRenewalRequest({ instanceIDs: target, productCode: 'ecs', renewalStatus: 'AutoRenewal', renewalPeriod: 3, renewalPeriodUnit: 'M' }));
      let row = instanceRow(target);
      assert.equal(row.RenewalMethod, 'AutoRenewal');
      assert.equal(row.AutoRenewPeriodMonths, 3);
      await bss.setRenewal(new Bss.SetRenewalRequest({ instanceIDs: target, productCode: 'ecs', renewalStatus: 'ManualRenewal' }));
      row = instanceRow(target);
      assert.equal(row.RenewalMethod, 'ManualRenewal');
      assert.equal(row.AutoRenewPeriodMonths, null);
      const listed = await bss.queryAvailableInstances(new Bss.QueryAvailableInstancesRequest({ instanceIDs: target }));
      assert.equal(listed.body.data.instanceList[0].renewStatus, 'ManualRenewal');
      await bss.setRenewal(new Bss.SetRenewalRequest({ instanceIDs: target, productCode: 'ecs', renewalStatus: 'AutoRenewal', renewalPeriod: 1, renewalPeriodUnit: 'Y' }));
      assert.equal(instanceRow(target).AutoRenewPeriodMonths, 12);
    });

    test('CreateInstance creates a paid instance for the caller, charged the catalog price', async () => {
      const cash = cashFen(second.email);
      const res = await other.createInstance(new Bss.CreateInstanceRequest({
        productCode: 'ecs', subscriptionType: 'Subscription', period: 1, clientToken: `create-${mode}-${randomUUID()}`,
        parameter: [new Bss.CreateInstanceRequestParameter({ code: 'Region', value: 'cn-hangzhou' }), new Bss.CreateInstanceRequestParameter({ code: 'InstanceType', value: 'ecs.g7.large' })],
      }));
      const { instanceId, orderId } = res.body.data;
      const row = instanceRow(instanceId);
      assert.equal(row.AccountId, accountId(second.email));
      assert.equal(String(row.CreatedByOrderId), orderId);
      assert.equal(sql(`SELECT Status FROM Orders WHERE Id = ${orderId}`)[0].Status, 'Paid');
      assert.equal(cashFen(second.email), cash - monthly('ecs.g7.large', 'cn-hangzhou'));
      const detail = await other.getOrderDetail(new Bss.GetOrderDetailRequest({ orderId }));
      assert.deepEqual(JSON.parse(detail.body.data.orderList.order[0].instanceIDs), [instanceId]);
    });

    test('SetAllExpirationDay renews the ECS instances to the unified day', async () => {
      const day = mode === 'v3' ? 15 : 20;
      // Only running instances are unified: wait until the (sandbox) cloud has reported CreateInstance's created.
      const creating = () => sql(`SELECT COUNT(*) AS N FROM Instances WHERE AccountId = ${accountId(second.email)} AND Provisioning = 'Creating'`)[0].N;
      for (const bound = Date.now() + 180000; creating() > 0 && Date.now() < bound;)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(creating(), 0);
      const res = await other.setAllExpirationDay(new Bss.SetAllExpirationDayRequest({ unifyExpireDay: String(day) }));
      assert.equal(res.body.code, 'Success');
      const rows = sql(`SELECT ExpiresAt FROM Instances WHERE AccountId = ${accountId(second.email)} AND ProductCode = 'ecs'`);
      assert.ok(rows.length > 0);
      for (const r of rows) {
        const local = new Date(Date.parse(ticksToIso(r.ExpiresAt)) + 8 * 3600 * 1000);
        assert.equal(local.getUTCDate(), day);
        assert.equal(local.getUTCHours(), 0);
      }
    });

    test('GetSubscriptionPrice prices a new purchase and a renewal as the catalog does', async () => {
      const price = await bss.getSubscriptionPrice(new Bss.GetSubscriptionPriceRequest({
        productCode: 'ecs', subscriptionType: 'Subscription', orderType: 'NewOrder', region: 'cn-hangzhou', quantity: 1,
        servicePeriodQuantity: 12, servicePeriodUnit: 'Month',
        moduleList: [new Bss.GetSubscriptionPriceRequestModuleList({ moduleCode: 'InstanceType', config: 'InstanceType:ecs.g7.large,IoOptimized:IoOptimized' })],
      }));
      const data = price.body.data;
      const original = monthly('ecs.g7.large', 'cn-hangzhou') * 12;
      assert.equal(Math.round(data.originalPrice * 100), original);
      assert.equal(typeof data.tradePrice, 'number');
      assert.ok(Math.round(data.tradePrice * 100) <= Math.round(original * catalogDiscount(12) / 100));
      assert.equal(data.currency, 'CNY');
      assert.equal(data.moduleDetails.moduleDetail[0].moduleCode, 'InstanceType');
      const renewal = await bss.getSubscriptionPrice(new Bss.GetSubscriptionPriceRequest({
        productCode: 'ecs', subscriptionType: 'Subscription', orderType: 'Renewal', instanceId: WEB_HZ, servicePeriodQuantity: 1, servicePeriodUnit: 'Month',
        moduleList: [new Bss.GetSubscriptionPriceRequestModuleList({ moduleCode: 'InstanceType', config: 'InstanceType:ecs.g7.large' })],
      }));
      assert.equal(Math.round(renewal.body.data.originalPrice * 100), monthly('ecs.g7.large', 'cn-hangzhou'));
    });

    test('QueryOrders and GetOrderDetail show the orders as stored', async () => {
      const id = accountId(demo.email);
      const res = await bss.queryOrders(new Bss.QueryOrdersRequest({ pageNum: 1, pageSize: 100 }));
      const stored = sql(`SELECT Id, Status, Type, PayableFen FROM Orders WHERE AccountId = ${id} ORDER BY CreatedAt DESC, Id DESC`);
      assert.equal(res.body.data.totalCount, stored.length);
      assert.deepEqual(res.body.data.orderList.order.map((o) => o.orderId), stored.map((o) => String(o.Id)));
      for (const [i, o] of res.body.data.orderList.order.entries()) {
        assert.equal(o.paymentStatus, stored[i].Status);
        assert.equal(fen(o.pretaxAmount), stored[i].PayableFen);
      }
      const renews = await bss.queryOrders(new Bss.QueryOrdersRequest({ orderType: 'Renew', paymentStatus: 'Paid', productCode: 'ecs' }));
      assert.ok(renews.body.data.orderList.order.every((o) => o.orderType === 'Renew' && o.paymentStatus === 'Paid'));
      const detail = await bss.getOrderDetail(new Bss.GetOrderDetailRequest({ orderId: String(stored[0].Id) }));
      const line = detail.body.data.orderList.order[0];
      assert.equal(line.orderId, String(stored[0].Id));
      assert.equal(fen(line.pretaxAmount), stored[0].PayableFen);
      assert.equal(line.billModuleConfig.billModuleConfig[0].code, 'InstanceType');
    });

    test('CancelOrder cancels the unpaid order a CreateInstance the balance could not pay left behind', async () => {
      const poor = client(broke, mode);
      const refused = await assert.rejects(poor.createInstance(new Bss.CreateInstanceRequest({
        productCode: 'ecs', subscriptionType: 'Subscription', period: 1, clientToken: `poor-${mode}`,
        parameter: [new Bss.CreateInstanceRequestParameter({ code: 'Region', value: 'cn-hangzhou' }), new Bss.CreateInstanceRequestParameter({ code: 'InstanceType', value: 'ecs.g7.large' })],
      })), (e) => e.name === 'ClientError' && e.code === 'Order.InsufficientCredit');
      void refused;
      const unpaid = await poor.queryOrders(new Bss.QueryOrdersRequest({ paymentStatus: 'Unpaid' }));
      assert.equal(unpaid.body.data.totalCount, 1);
      const orderId = unpaid.body.data.orderList.order[0].orderId;
      await poor.cancelOrder(new Bss.CancelOrderRequest({ orderId }));
      assert.equal(sql(`SELECT Status FROM Orders WHERE Id = ${orderId}`)[0].Status, 'Cancelled');
      const detail = await poor.getOrderDetail(new Bss.GetOrderDetailRequest({ orderId }));
      assert.equal(detail.body.data.orderList.order[0].paymentStatus, 'Cancelled');
      assert.equal(sql(`SELECT COUNT(*) AS n FROM Instances WHERE AccountId = ${accountId(broke.email)}`)[0].n, 0);
    });

    test('QueryCashCoupons shows every coupon with its stored balance', async () => {
      const res = await bss.queryCashCoupons(new Bss.QueryCashCouponsRequest({}));
      const stored = sql(`SELECT Id, FaceValueFen, RemainingFen FROM Coupons WHERE AccountId = ${accountId(demo.email)} ORDER BY Id`);
      assert.deepEqual(res.body.data.cashCoupon.map((c) => c.cashCouponId).sort((a, b) => a - b), stored.map((c) => c.Id));
      for (const c of res.body.data.cashCoupon) {
        const row = stored.find((s) => s.Id === c.cashCouponId);
        assert.equal(fen(c.nominalValue), row.FaceValueFen);
        assert.equal(fen(c.balance), row.RemainingFen);
      }
    });

    test('QueryProductList lists the catalog', async () => {
      const res = await bss.queryProductList(new Bss.QueryProductListRequest({ pageNum: 1, pageSize: 100, queryTotalCount: true }));
      const files = fs.readdirSync(path.join(process.env.CLOUDBILL_CATALOG, 'products')).filter((f) => f.endsWith('.json'));
      const codes = new Set(res.body.data.productList.product.map((p) => p.productCode));
      assert.equal(codes.size, files.length);
      assert.ok(codes.has('ecs'));
      assert.equal(res.body.data.totalCount, res.body.data.productList.product.length);
    });

    test('QueryAccountTransactions lists the cash postings with the balance after each', async () => {
      const res = await bss.queryAccountTransactions(new Bss.QueryAccountTransactionsRequest({ pageNum: 1, pageSize: 50 }));
      const list = res.body.data.accountTransactionsList.accountTransactionsList;
      assert.ok(list.length >= 2);
      assert.equal(fen(list[0].balance), cashFen(demo.email));
      for (let i = 0; i + 1 < list.length; i++) {
        const signed = (list[i].transactionFlow === 'Income' ? 1 : -1) * fen(list[i].amount);
        assert.equal(fen(list[i + 1].balance), fen(list[i].balance) - signed);
      }
      assert.ok(list.some((t) => t.transactionType === 'Consumption' && t.transactionFlow === 'Expense'));
      const expenses = await bss.queryAccountTransactions(new Bss.QueryAccountTransactionsRequest({ transactionFlow: 'Expense' }));
      assert.ok(expenses.body.data.accountTransactionsList.accountTransactionsList.every((t) => t.transactionFlow === 'Expense'));
    });
  });
}

function catalogDiscount(months) {
  const root = JSON.parse(fs.readFileSync(path.join(process.env.CLOUDBILL_CATALOG, 'catalog.json'), 'utf8'));
  const table = root.defaults?.periodDiscountPercent ?? root.periodDiscountPercent ?? {};
  return Number(table[String(months)] ?? 100);
}
