// Alipay's own Node SDK (alipay-sdk) checks a refund Cloudbill made through the sandbox, on both
// sides: the refund request Cloudbill signed (as the sandbox received it) verifies with the
// merchant's public key, a tampered copy does not; and the sandbox's signed answers to the SDK's
// own refund query and repeated refund verify with the sandbox's Alipay public key.
// Called by tests/Cloudbill.Server.Tests/Operator/RefundConsoleTests.cs after `npm ci` here.
// Usage: TZ=Asia/Shanghai node alipay-refund.js <sandbox directory> <out_trade_no> <gateway URL>
// (the SDK stamps requests with the machine's local time; Alipay expects China Standard Time)
// Prints one JSON object; exit code 0 when every check holds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { AlipaySdk } = require('alipay-sdk');

async function main() {
  const [directory, outTradeNo, gateway] = process.argv.slice(2);
  if (!directory || !outTradeNo || !gateway)
    throw new Error('Usage: node alipay-refund.js <sandbox directory> <out_trade_no> <gateway URL>');
  const credentials = JSON.parse(fs.readFileSync(path.join(directory, 'credentials.json'), 'utf8'));
  const state = JSON.parse(fs.readFileSync(path.join(directory, 'state.json'), 'utf8'));
  const trade = (state.alipayTrades || []).find((t) => t.outTradeNo === outTradeNo);
  if (!trade || !trade.refunds || trade.refunds.length !== 1 || !trade.refunds[0].request)
    throw new Error(`The sandbox has no single recorded refund of ${outTradeNo}.`);
  const refund = trade.refunds[0];

  // Cloudbill's side: the request it signed with the app private key, checked as Alipay checks it.
  const asAlipay = new AlipaySdk({ appId: credentials.alipayAppId, privateKey: credentials.appPrivateKeyPem, alipayPublicKey: credentials.appPublicKeyPem, keyType: 'PKCS8' });
  const requestSignatureValid = asAlipay.checkNotifySign({ ...refund.request });
  const tampered = { ...refund.request, biz_content: refund.request.biz_content.replace(/"refund_amount":"[^"]*"/, '"refund_amount":"0.01"') };
  const tamperedSignatureValid = asAlipay.checkNotifySign(tampered);

  // The sandbox's side: the SDK as the merchant asks about the refund and repeats it; exec verifies each signed answer.
  const merchant = new AlipaySdk({
    appId: credentials.alipayAppId,
    privateKey: credentials.appPrivateKeyPem,
    alipayPublicKey: credentials.alipayPublicKeyPem,
    gateway,
    keyType: 'PKCS8',
    timeout: 30000,
  });
  const query = await merchant.exec('alipay.trade.fastpay.refund.query', { bizContent: { out_trade_no: outTradeNo, out_request_no: refund.outRequestNo } }, { validateSign: true });
  const biz = JSON.parse(refund.request.biz_content);
  const repeat = await merchant.exec('alipay.trade.refund', { bizContent: { out_trade_no: outTradeNo, refund_amount: biz.refund_amount, out_request_no: refund.outRequestNo } }, { validateSign: true });

  const result = {
    method: refund.request.method,
    outRequestNo: refund.outRequestNo,
    refundAmount: biz.refund_amount,
    requestSignatureValid,
    tamperedSignatureValid,
    query: { code: query.code, subMsg: query.subMsg, refundAmount: query.refundAmount, refundStatus: query.refundStatus },
    repeat: { code: repeat.code, subMsg: repeat.subMsg, fundChange: repeat.fundChange, refundFee: repeat.refundFee },
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  const ok = requestSignatureValid && !tamperedSignatureValid && query.code === '10000' && repeat.code === '10000' && repeat.fundChange === 'N';
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 2;
});
