#!/usr/bin/env bash
# Generates the fixed test vectors of the Alipay and UnionPay protocol tests with the openssl
# command line and coreutils only, so that the C# signing code is checked against an
# independent implementation (payments.md §1.6, §2.3, §2.4).
#
# TEST-ONLY: every key, certificate and PFX below is made up by this script, protects nothing
# and must never be configured in a real deployment.
#
# Usage: ./generate.sh   (rewrites alipay/ and unionpay/; commit the result with the tests)
set -euo pipefail
cd "$(dirname "$0")"
# Byte order for `sort`: the gateways sort keys by character code (payments.md §5.3).
export LC_ALL=C

rsa_sha256_sign() { # key file; data on stdin -> base64 RSASSA-PKCS1-v1_5 SHA-256 signature
  openssl dgst -sha256 -sign "$1" | base64 -w0
}

sha256_hex() { # data on stdin -> lower-case hex SHA-256
  openssl dgst -sha256 -r | cut -d' ' -f1 | tr -d '\n'
}

urlencode() { # every byte percent-encoded: valid form encoding, no locale involved
  printf '%s' "$1" | xxd -p | tr -d '\n' | sed 's/../%&/g'
}

# sign_content ARRAY EXCLUDED_KEY... -> "k=v&k=v", keys in byte order, empty values dropped
sign_content() {
  local -n fields_ref=$1
  shift
  local out="" key skip excluded
  while IFS= read -r key; do
    skip=0
    for excluded in "$@"; do [[ $key == "$excluded" ]] && skip=1; done
    [[ $skip == 1 || -z ${fields_ref[$key]} ]] && continue
    out+="${out:+&}$key=${fields_ref[$key]}"
  done < <(printf '%s\n' "${!fields_ref[@]}" | sort)
  printf '%s' "$out"
}

# form_body ARRAY -> application/x-www-form-urlencoded, keys in REVERSE order so that the
# verifier has to sort by itself
form_body() {
  local -n form_ref=$1
  local out="" key
  while IFS= read -r key; do
    out+="${out:+&}$key=$(urlencode "${form_ref[$key]}")"
  done < <(printf '%s\n' "${!form_ref[@]}" | sort -r)
  printf '%s' "$out"
}

# raw_body ARRAY -> "k=v&k=v" with raw values, as UnionPay's synchronous responses are (§2.4)
raw_body() {
  local -n raw_ref=$1
  local out="" key
  while IFS= read -r key; do
    out+="${out:+&}$key=${raw_ref[$key]}"
  done < <(printf '%s\n' "${!raw_ref[@]}" | sort -r)
  printf '%s' "$out"
}

new_rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

rm -rf alipay unionpay
mkdir -p alipay unionpay

########################################################################################
# Alipay (RSA2, public-key mode)
########################################################################################
# app-private.pem: the merchant's app key (PKCS#8); app-private-pkcs1.pem: the same key in the
# "non-Java" PKCS#1 form of Alipay's key tool. platform-*.pem plays Alipay. other-private.pem
# is a key that is not Alipay's (the "wrong key" case).
new_rsa_key alipay/app-private.pem
openssl rsa -in alipay/app-private.pem -traditional -out alipay/app-private-pkcs1.pem 2>/dev/null
openssl pkey -in alipay/app-private.pem -pubout -out alipay/app-public.pem
new_rsa_key alipay/platform-private.pem
openssl pkey -in alipay/platform-private.pem -pubout -out alipay/platform-public.pem
new_rsa_key alipay/other-private.pem

disabled='credit_group,pcredit,pcreditpayInstallment,creditCard,creditCardExpress,creditCardCartoon'

# A request: sign everything except `sign`, sign_type included (§1.6.1).
alipay_request() { # name method biz_content [notify_url return_url]
  local name=$1
  declare -A request=(
    [app_id]=2021000000000001
    [method]=$2
    [format]=JSON
    [charset]=utf-8
    [sign_type]=RSA2
    [timestamp]='2026-11-26 12:05:06'
    [version]=1.0
    [biz_content]=$3
    [notify_url]=${4:-}
    [return_url]=${5:-}
  )
  local content
  content=$(sign_content request sign)
  printf '%s' "$content" >"alipay/$name.sign-content.txt"
  printf '%s' "$content" | rsa_sha256_sign alipay/app-private.pem >"alipay/$name.sign.txt"
}

alipay_request page-pay alipay.trade.page.pay \
  '{"out_trade_no":"T20261126000001","total_amount":"12.50","subject":"Cloudbill 充值 12.50","product_code":"FAST_INSTANT_TRADE_PAY","goods_type":"0","timeout_express":"30m","disable_pay_channels":"'"$disabled"'"}' \
  https://billing.example.com/payments/alipay/notify \
  'https://billing.example.com/payments/alipay/return?order=T20261126000001'

alipay_request wap-pay alipay.trade.wap.pay \
  '{"out_trade_no":"T20261126000002","total_amount":"0.01","subject":"Cloudbill top-up","product_code":"QUICK_WAP_WAY","goods_type":"0","timeout_express":"2h","disable_pay_channels":"'"$disabled"'","quit_url":"https://billing.example.com/topup"}' \
  https://billing.example.com/payments/alipay/notify

alipay_request query alipay.trade.query \
  '{"out_trade_no":"T20261126000001","query_options":["fund_bill_list"]}'

# An asynchronous notification: sign everything except `sign` and `sign_type` (§1.6.2),
# signed by "Alipay" (or by another key), posted as a form.
alipay_notification() { # name key fund_bill_list
  local name=$1 key=$2
  declare -A notification=(
    [gmt_create]='2026-11-26 12:05:30'
    [charset]=utf-8
    [seller_email]=billing@example.com
    [subject]='Cloudbill 充值 12.50'
    [buyer_id]=2088102177846880
    [invoice_amount]=12.50
    [notify_id]=2026112600222120531046880599999999
    [fund_bill_list]=$3
    [notify_type]=trade_status_sync
    [trade_status]=TRADE_SUCCESS
    [receipt_amount]=12.50
    [app_id]=2021000000000001
    [buyer_pay_amount]=12.50
    [sign_type]=RSA2
    [seller_id]=2088000000000001
    [gmt_payment]='2026-11-26 12:05:31'
    [notify_time]='2026-11-26 12:05:32'
    [version]=1.0
    [out_trade_no]=T20261126000001
    [total_amount]=12.50
    [trade_no]=2026112622001446880500000001
    [auth_app_id]=2021000000000001
    [buyer_logon_id]='cus***@example.com'
    [point_amount]=0.00
    [body]=''
  )
  local content
  content=$(sign_content notification sign sign_type)
  printf '%s' "$content" >"alipay/$name.sign-content.txt"
  notification[sign]=$(printf '%s' "$content" | rsa_sha256_sign "$key")
  form_body notification >"alipay/$name.form"
}

alipay_notification notify-paid alipay/platform-private.pem '[{"amount":"12.50","fundChannel":"ALIPAYACCOUNT"}]'
alipay_notification notify-wrong-key alipay/other-private.pem '[{"amount":"12.50","fundChannel":"ALIPAYACCOUNT"}]'
alipay_notification notify-huabei alipay/platform-private.pem '[{"amount":"12.50","fundChannel":"PCREDIT"}]'
alipay_notification notify-credit-card alipay/platform-private.pem '[{"amount":"2.50","fundChannel":"COUPON"},{"amount":"10.00","fundChannel":"BANKCARD","fundType":"CREDIT_CARD"}]'

# A synchronous response: the signature covers the exact text of the response node (§1.6.3).
alipay_response() { # name node_name node_json [escape_slashes]
  local name=$1 node=$3 sign body_node
  sign=$(printf '%s' "$node" | rsa_sha256_sign alipay/platform-private.pem)
  body_node=$node
  # Some responses arrive with "/" written as "\/" although the signed text has "/".
  [[ ${4:-} == escape_slashes ]] && body_node=${node//\//\\/}
  printf '{"%s":%s,"sign":"%s"}' "$2" "$body_node" "$sign" >"alipay/$name.json"
}

alipay_response query-paid alipay_trade_query_response \
  '{"code":"10000","msg":"Success","buyer_logon_id":"cus***@example.com","buyer_pay_amount":"12.50","buyer_user_id":"2088102177846880","fund_bill_list":[{"amount":"2.50","fund_channel":"COUPON"},{"amount":"10.00","fund_channel":"BANKCARD","fund_type":"CREDIT_CARD"}],"invoice_amount":"12.50","out_trade_no":"T20261126000001","point_amount":"0.00","receipt_amount":"12.50","send_pay_date":"2026-11-26 12:05:31","total_amount":"12.5","trade_no":"2026112622001446880500000001","trade_status":"TRADE_SUCCESS"}'
alipay_response query-not-exist alipay_trade_query_response \
  '{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在","buyer_pay_amount":"0.00","invoice_amount":"0.00","out_trade_no":"T20261126000002","point_amount":"0.00","receipt_amount":"0.00"}'
alipay_response close-ok alipay_trade_close_response \
  '{"code":"10000","msg":"Success","out_trade_no":"T20261126000001","trade_no":"2026112622001446880500000001"}'
alipay_response refund-ok alipay_trade_refund_response \
  '{"code":"10000","msg":"Success","buyer_logon_id":"cus***@example.com","buyer_user_id":"2088102177846880","fund_change":"Y","gmt_refund_pay":"2026-11-27 10:00:00","out_trade_no":"T20261126000001","refund_fee":"12.50","send_back_fee":"12.50","store_name":"Cloudbill/Shanghai","trade_no":"2026112622001446880500000001"}' \
  escape_slashes

########################################################################################
# UnionPay ACP 5.1.0 (signMethod 01)
########################################################################################
ca_ext='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
leaf_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'

self_signed_ca() { # name subject serial
  new_rsa_key "unionpay/$1.key"
  openssl req -x509 -new -utf8 -key "unionpay/$1.key" -subj "$2" -set_serial "$3" -days 10950 -sha256 \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -out "unionpay/$1.pem"
}

issue() { # name subject serial issuer extensions
  new_rsa_key "unionpay/$1.key"
  openssl req -new -utf8 -key "unionpay/$1.key" -subj "$2" |
    openssl x509 -req -CA "unionpay/$4.pem" -CAkey "unionpay/$4.key" -set_serial "$3" -days 7300 -sha256 \
      -extfile <(printf '%s\n' "$5") -out "unionpay/$1.pem" 2>/dev/null
}

# The configured verification chain (acp_test_root.cer / acp_test_middle.cer in the demo).
self_signed_ca root '/C=CN/O=Cloudbill TEST vectors/CN=TEST UnionPay Root' 1
issue middle '/C=CN/O=Cloudbill TEST vectors/CN=TEST UnionPay Middle' 2 root "$ca_ext"
# UnionPay's signing certificates: the test-environment name (accepted only with
# ifValidateCNName=false) and the production name (§2.4).
issue signing-test '/C=CN/O=Cloudbill TEST vectors/CN=041@Z20261126@00040000:SIGN@00000001' 3 middle "$leaf_ext"
issue signing-strict '/C=CN/O=Cloudbill TEST vectors/CN=041@Z20261126@中国银联股份有限公司@00000002' 4 middle "$leaf_ext"
# A look-alike chain that the merchant does not trust: same names, another root.
self_signed_ca evil-root '/C=CN/O=Cloudbill TEST vectors/CN=TEST UnionPay Root' 1
issue evil-middle '/C=CN/O=Cloudbill TEST vectors/CN=TEST UnionPay Middle' 2 evil-root "$ca_ext"
issue evil-signing '/C=CN/O=Cloudbill TEST vectors/CN=041@Z20261126@00040000:SIGN@00000001' 3 evil-middle "$leaf_ext"
rm unionpay/evil-root.key unionpay/evil-middle.key unionpay/root.key unionpay/middle.key

# The merchant signing PFX (acp_test_sign.pfx, password 000000 in the demo). Its serial is
# above 2^63 so that the DER form has a leading zero byte: certId must still be this number.
merchant_serial=11474836471234567890
new_rsa_key unionpay/merchant.key
openssl req -x509 -new -key unionpay/merchant.key -subj '/C=CN/O=Cloudbill TEST vectors/CN=777290058110048' \
  -set_serial "$merchant_serial" -days 7300 -sha256 -out unionpay/merchant.pem
openssl pkcs12 -export -inkey unionpay/merchant.key -in unionpay/merchant.pem -name cloudbill-test-merchant \
  -passout pass:000000 -out unionpay/merchant.pfx
printf '%s' "$merchant_serial" >unionpay/merchant-cert-id.txt

# Front consumption request (§2.2), signed as §2.3: sign string -> lower hex SHA-256 ->
# SHA256withRSA over the hex text -> base64.
declare -A front=(
  [version]=5.1.0
  [encoding]=UTF-8
  [signMethod]=01
  [txnType]=01
  [txnSubType]=01
  [bizType]=000201
  [channelType]=08
  [accessType]=0
  [merId]=777290058110048
  [orderId]=T20261126000001
  [txnTime]=20261126120506
  [txnAmt]=1250
  [currencyCode]=156
  [frontUrl]=https://billing.example.com/payments/unionpay/return
  [backUrl]=https://billing.example.com/payments/unionpay/notify
  [payTimeout]=20261126122006
  [certId]=$merchant_serial
)
content=$(sign_content front signature)
printf '%s' "$content" >unionpay/front-consume.sign-content.txt
digest=$(printf '%s' "$content" | sha256_hex)
printf '%s' "$digest" >unionpay/front-consume.digest.txt
printf '%s' "$digest" | rsa_sha256_sign unionpay/merchant.key >unionpay/front-consume.signature.txt

# Query request (§2.6) for the same order.
declare -A query=(
  [version]=5.1.0
  [encoding]=UTF-8
  [signMethod]=01
  [txnType]=00
  [txnSubType]=00
  [bizType]=000201
  [accessType]=0
  [merId]=777290058110048
  [orderId]=T20261126000001
  [txnTime]=20261126120506
  [certId]=$merchant_serial
)
content=$(sign_content query signature)
printf '%s' "$content" >unionpay/query.sign-content.txt
printf '%s' "$content" | sha256_hex | rsa_sha256_sign unionpay/merchant.key >unionpay/query.signature.txt

# PEM text as UnionPay sends it in signPubKeyCert: CRLF line ends, no final line end.
pem_of() { tr -d '\r' <"unionpay/$1.pem" | sed '$!s/$/\r/'; }

# Back notification (§2.5), signed by a UnionPay signing certificate; signPubKeyCert is part
# of the signed text (§2.4). accNo and accessType are the §5.3 ordering pitfall.
unionpay_notification() { # name signer
  declare -A notification=(
    [accessType]=0
    [accNo]='6216********0018'
    [bizType]=000201
    [currencyCode]=156
    [encoding]=UTF-8
    [merId]=777290058110048
    [orderId]=T20261126000001
    [payCardType]=01
    [payType]=0001
    [queryId]=772611261205068512348
    [reqReserved]=''
    [respCode]=00
    [respMsg]='成功[0000000]'
    [settleAmt]=1250
    [settleCurrencyCode]=156
    [settleDate]=1126
    [signMethod]=01
    [traceNo]=851234
    [traceTime]=1126120530
    [txnAmt]=1250
    [txnSubType]=01
    [txnTime]=20261126120506
    [txnType]=01
    [version]=5.1.0
  )
  notification[signPubKeyCert]=$(pem_of "$2")
  local content
  content=$(sign_content notification signature)
  printf '%s' "$content" >"unionpay/$1.sign-content.txt"
  notification[signature]=$(printf '%s' "$content" | sha256_hex | rsa_sha256_sign "unionpay/$2.key")
  form_body notification >"unionpay/$1.form"
}

unionpay_notification notify-paid signing-test
unionpay_notification notify-strict-name signing-strict
unionpay_notification notify-untrusted evil-signing

# Synchronous query responses: raw k=v bodies, values may hold {...} with & and = (§2.4).
unionpay_query_response() { # name respCode respMsg origRespCode origRespMsg
  declare -A response=(
    [version]=5.1.0
    [encoding]=UTF-8
    [signMethod]=01
    [txnType]=00
    [txnSubType]=00
    [bizType]=000201
    [accessType]=0
    [merId]=777290058110048
    [orderId]=T20261126000001
    [txnTime]=20261126120506
    [respCode]=$2
    [respMsg]=$3
    [origRespCode]=${4:-}
    [origRespMsg]=${5:-}
  )
  if [[ $2 == 00 ]]; then
    response[queryId]=772611261205068512348
    response[txnAmt]=1250
    response[settleAmt]=1250
    response[settleDate]=1126
    response[traceNo]=851234
    response[traceTime]=1126120530
    response[reserved]='{cardNumberLock=1&issInsCode=01020000}'
  fi
  response[signPubKeyCert]=$(pem_of signing-test)
  local content
  content=$(sign_content response signature)
  response[signature]=$(printf '%s' "$content" | sha256_hex | rsa_sha256_sign unionpay/signing-test.key)
  raw_body response >"unionpay/$1.txt"
}

unionpay_query_response query-paid 00 '成功[0000000]' 00 '成功[0000000]'
unionpay_query_response query-processing 00 '成功[0000000]' 05 '交易处理中[0000005]'
unionpay_query_response query-not-found 34 '查无此交易[2011000]'

# Only the merchant key (inside merchant.pfx) and the test signing keys are needed by the tests;
# keep them next to the certificates so the script's output is self-contained.
echo "Vectors written to $(pwd)/alipay and $(pwd)/unionpay"
