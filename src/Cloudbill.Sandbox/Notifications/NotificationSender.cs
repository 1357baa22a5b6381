using System.Net;
using Cloudbill.Core.Payments.Alipay;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Sandbox.Notifications;

/// <summary>
/// Posts the queued notifications as forms to the merchant's notify_url / backUrl with the real
/// retry schedules (payments.md §1.7, §2.5), scaled by <see cref="SandboxOptions.RetryScale"/> and
/// timed by the injected TimeProvider. Alipay counts a send as received only on a body of exactly
/// <c>success</c> (8 sends); UnionPay on HTTP 200 or 302 within 10 s (5 sends). Due notifications go
/// out one after the other, oldest due first.
/// </summary>
internal sealed partial class NotificationSender(
    SandboxStore store, NotificationQueue queue, NotificationSigner signer, DeliveryLog log, SendProgress progress,
    SandboxOptions options, TimeProvider clock, ILogger<NotificationSender> logger) : BackgroundService
{
    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        Timeout = options.NotificationTimeout,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueOrWait(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A sandbox fault (the state file could not be written…) must not stop the host: try again shortly.
                LogFailure(e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task SendDueOrWait(CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        var due = store.Read(state => state.Notifications
            .Where(job => job.NextAt <= now)
            .OrderBy(job => job.NextAt).ThenBy(job => job.Order)
            .Select(job => job.Id)
            .ToList());
        foreach (var id in due)
            await SendOnce(id, stoppingToken);
        if (due.Count > 0)
            return;

        var next = store.Read(state => state.Notifications.Count == 0 ? (DateTimeOffset?)null : state.Notifications.Min(job => job.NextAt));
        await DueTimer.Wait(now, next, clock, queue.WaitAsync, stoppingToken);
    }

    private async Task SendOnce(string id, CancellationToken cancellation)
    {
        var job = store.Read(state => state.Notifications.FirstOrDefault(pending => pending.Id == id));
        if (job is null)
            return;
        var sentAt = clock.GetUtcNow();
        var send = job.Sends + 1;
        var gateway = job.Gateway.ToString();
        bool acknowledged;
        if (job.DropRemaining > 0)
        {
            acknowledged = false;
            log.Add(new SandboxDelivery(gateway, job.Key, job.Url, send, sentAt, Dropped: true, null, null, false));
        }
        else
        {
            var fields = signer.Sign(job, sentAt);
            var copies = await Task.WhenAll(Enumerable.Range(0, job.Duplicate).Select(_ => Post(job, fields, cancellation)));
            foreach (var (status, body) in copies)
                log.Add(new SandboxDelivery(gateway, job.Key, job.Url, send, sentAt, false, status, body, IsAcknowledged(job.Gateway, status, body)));
            acknowledged = copies.Any(copy => IsAcknowledged(job.Gateway, copy.Status, copy.Body));
        }

        var gaps = job.Gateway == SandboxGateway.Alipay ? options.AlipayRetryGaps : options.UnionPayRetryGaps;
        var outcome = store.Update(state =>
        {
            var stored = state.Notifications.FirstOrDefault(pending => pending.Id == id);
            if (stored is null)
                return "gone";
            stored.Sends = send;
            stored.Held = false;
            if (stored.DropRemaining > 0)
                stored.DropRemaining--;
            if (acknowledged || send > gaps.Count)
            {
                state.Notifications.Remove(stored);
                return acknowledged ? "acknowledged" : "abandoned";
            }
            stored.NextAt = sentAt + options.Scaled(gaps[send - 1]);
            return "again";
        });
        LogSend(job.Gateway, job.Key, send, outcome);
        progress.Recorded();
    }

    private async Task<(int? Status, string? Body)> Post(NotificationJob job, List<KeyValuePair<string, string>> fields, CancellationToken cancellation)
    {
        try
        {
            using var content = new FormUrlEncodedContent(fields);
            using var response = await http.PostAsync(job.Url, content, cancellation);
            var body = await response.Content.ReadAsStringAsync(cancellation);
            return ((int)response.StatusCode, body.Length > 200 ? body[..200] : body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException && !cancellation.IsCancellationRequested)
        {
            return (null, e.GetType().Name);
        }
    }

    /// <summary>§1.7: exactly the 7 characters <c>success</c>. §2.5: HTTP 200 (the demo also takes 302), body ignored.</summary>
    private static bool IsAcknowledged(SandboxGateway gateway, int? status, string? body) => gateway switch
    {
        SandboxGateway.Alipay => body == AlipayNotification.SuccessReply,
        SandboxGateway.UnionPay => status is (int)HttpStatusCode.OK or (int)HttpStatusCode.Found,
    };

    [LoggerMessage(LogLevel.Error, "Sandbox notification sender failed; retrying in 1 s")]
    private partial void LogFailure(Exception exception);

    [LoggerMessage(LogLevel.Information, "Sandbox {Gateway} notification {Key}: send {Send}, {Outcome}")]
    private partial void LogSend(SandboxGateway gateway, string key, int send, string outcome);

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// Counts the sends whose outcome is recorded (the job rescheduled or removed), and lets a waiter
/// await the next one. A due job stays due until its send is recorded, so "nothing due now" means
/// nothing more goes out until the clock moves: the tests' signal instead of a real-time wait.
/// </summary>
internal sealed class SendProgress
{
    private readonly Lock gate = new();
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Sends { get; private set; }

    /// <summary>Completes when the next send is recorded; take it before checking what is due, so none is missed.</summary>
    public Task NextSend()
    {
        lock (gate)
            return next.Task;
    }

    public void Recorded()
    {
        TaskCompletionSource done;
        lock (gate)
        {
            Sends++;
            done = next;
            next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.SetResult();
    }
}
