using System.Text;
using Cloudbill.Core.Problems;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Payments;

/// <summary>
/// Sends a signed server-to-server request (query, close, refund) to a gateway and returns the
/// body for the gateway's own reader to verify. Logs the method, never the signed fields.
/// </summary>
public class GatewayTransport(IHttpClientFactory httpClients, ILogger<GatewayTransport> logger)
{
    public const string HttpClientName = "payment-gateways";

    public virtual async Task<Result<string>> Send(PaymentGateway gateway, GatewayRequest request, CancellationToken ct)
    {
        var what = request.Field("method") ?? request.Field("txnType") ?? "request";
        try
        {
            using var client = httpClients.CreateClient(HttpClientName);
            using var content = new StringContent(request.ToFormBody(), Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await client.PostAsync(request.Endpoint, content, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("{Gateway} answered {Status} to {What}", gateway, (int)response.StatusCode, what);
                return PaymentErrors.Unreachable(gateway, $"HTTP {(int)response.StatusCode}");
            }
            return body;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("{Gateway} did not answer {What}: {Error}", gateway, what, e.Message);
            return PaymentErrors.Unreachable(gateway, e.Message);
        }
    }
}
