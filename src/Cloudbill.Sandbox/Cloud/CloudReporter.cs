using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Sandbox.Cloud;

/// <summary>
/// Reports the simulated cloud's resources created to Cloudbill's provider API
/// (<c>POST /provider/v1/instances/{id}/created</c> with the provider key), each when its
/// <see cref="CloudCallbackJob.NextAt"/> comes on the injected clock. The jobs live in the
/// sandbox's state file, so a restart resumes them. An answer of 404 or 409 (no such instance, or
/// no longer Creating) ends the job; anything else is tried again, 2, 4, 8… seconds later (at most
/// a minute apart), as a real cloud would.
/// </summary>
internal sealed partial class CloudReporter(SandboxStore store, SandboxCloudConnection connection, CloudSignal signal, TimeProvider clock, ILogger<CloudReporter> logger)
    : BackgroundService
{
    private static readonly TimeSpan LongestGap = TimeSpan.FromMinutes(1);

    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var link = await connection.Connected.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ReportDueOrWait(link, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A sandbox fault (the state file could not be written…) must not stop the host.
                    LogFailure(e);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReportDueOrWait(SandboxCloudLink link, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        var due = store.Read(state => state.CloudCallbacks.Where(job => job.NextAt <= now).OrderBy(job => job.NextAt).Select(job => job.InstanceId).ToList());
        foreach (var instanceId in due)
            await Report(link, instanceId, stoppingToken);
        if (due.Count > 0)
            return;

        var next = store.Read(state => state.CloudCallbacks.Count == 0 ? (DateTimeOffset?)null : state.CloudCallbacks.Min(job => job.NextAt));
        await DueTimer.Wait(now, next, clock, signal.WaitAsync, stoppingToken);
    }

    private async Task Report(SandboxCloudLink link, string instanceId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(link.CloudbillUrl, $"provider/v1/instances/{Uri.EscapeDataString(instanceId)}/created"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", link.ProviderToken);
        HttpStatusCode? status = null;
        string answer;
        try
        {
            using var response = await http.SendAsync(request, ct);
            status = response.StatusCode;
            answer = await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            answer = e.Message;
        }

        var now = clock.GetUtcNow();
        store.Update(state =>
        {
            var job = state.CloudCallbacks.FirstOrDefault(j => j.InstanceId == instanceId);
            var resource = state.CloudResources.FirstOrDefault(r => r.InstanceId == instanceId);
            if (job is null)
                return 0;
            if (status is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                state.CloudCallbacks.Remove(job);
                if (resource is { State: CloudResourceState.Creating })
                {
                    resource.State = status == HttpStatusCode.OK ? CloudResourceState.Running : CloudResourceState.Refused;
                    resource.ChangedAt = now;
                }
                return 0;
            }
            job.Attempts++;
            if (resource is not null)
                resource.FailedReports++;
            job.LastError = status is null ? answer : $"{(int)status} {answer}";
            var gap = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(job.Attempts, 6)));
            job.NextAt = now + (gap < LongestGap ? gap : LongestGap);
            return 0;
        });
        if (status == HttpStatusCode.OK)
            LogCreated(instanceId);
        else
            LogRefused(instanceId, status is null ? "no answer" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), answer);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox cloud: instance {InstanceId} created and reported to Cloudbill")]
    private partial void LogCreated(string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox cloud: reporting instance {InstanceId} created got {Status}: {Answer}")]
    private partial void LogRefused(string instanceId, string status, string answer);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sandbox cloud: the reporter failed; it tries again in a second")]
    private partial void LogFailure(Exception exception);

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }
}
