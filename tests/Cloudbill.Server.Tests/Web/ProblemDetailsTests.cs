using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.Hosting;
using Cloudbill.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Server.Tests;

/// <summary>RFC 9457 answers from the one mapper, and a JSON problem (never a page or a stack trace) for an unexpected exception.</summary>
public sealed class ProblemDetailsTests
{
    /// <summary>The real web host in this process, so a test can plant a bug and read the log.</summary>
    private sealed class Host : IAsyncDisposable
    {
        public required WebApplication App { get; init; }
        public required HttpClient Http { get; init; }
        public required TestDatabase Database { get; init; }
        public required ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Log { get; init; }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    private sealed class Capture(ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> log) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                log.Enqueue((logLevel, formatter(state, exception), exception));
        }
        public void Dispose()
        {
        }
    }

    /// <summary>The address Kestrel bound (port 0 lets the system choose: no race for a free port).</summary>
    private static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());

    private static async Task<Host> Start(Action<IServiceCollection>? plant = null)
    {
        var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var log = new ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)>();
        var app = ServerHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            // The gateways' return URLs are under test: the sandbox plays them.
            InProcessServer.Configure(builder, database);
            builder.Logging.AddProvider(new Capture(log));
            plant?.Invoke(builder.Services);
        });
        await ServerHost.Prepare(app.Services, app.Logger, TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var host = new Host { App = app, Http = new HttpClient { BaseAddress = BoundAddress(app) }, Database = database, Log = log };
        return host;
    }

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> Send(HttpClient http, HttpRequestMessage request)
    {
        // A browser's Accept header: the answer is JSON all the same.
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task A_problem_has_a_stable_type_a_constant_title_and_the_occurrence_in_detail()
    {
        await using var host = await Start();

        var (noOrder, first) = await Send(host.Http, new HttpRequestMessage(HttpMethod.Get, "/payments/unionpay/return"));
        var (badOrder, again) = await Send(host.Http, new HttpRequestMessage(HttpMethod.Get, "/payments/unionpay/return?orderId=not%20a%20trade%20number"));
        var (badReturn, other) = await Send(host.Http, new HttpRequestMessage(HttpMethod.Get, "/payments/alipay/return?out_trade_no=x"));

        Assert.Equal(HttpStatusCode.BadRequest, noOrder.StatusCode);
        Assert.Equal("urn:cloudbill:problem:Payment.ReturnWithoutOrder", first.GetProperty("type").GetString());
        Assert.Equal("The request is not valid.", first.GetProperty("title").GetString());
        Assert.Equal(400, first.GetProperty("status").GetInt32());
        Assert.Equal("The UnionPay return does not name a payment (orderId).", first.GetProperty("detail").GetString());
        Assert.Equal("Payment.ReturnWithoutOrder", first.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("requestId").GetString()));

        // The same failure again: the same type and title, its own request id.
        Assert.Equal(HttpStatusCode.BadRequest, badOrder.StatusCode);
        Assert.Equal(first.GetProperty("type").GetString(), again.GetProperty("type").GetString());
        Assert.Equal(first.GetProperty("title").GetString(), again.GetProperty("title").GetString());
        Assert.NotEqual(first.GetProperty("requestId").GetString(), again.GetProperty("requestId").GetString());

        // Another failure: its own type (from its code), status, title and detail.
        var code = other.GetProperty("code").GetString()!;
        Assert.Equal("urn:cloudbill:problem:" + code, other.GetProperty("type").GetString());
        Assert.NotEqual("Payment.ReturnWithoutOrder", code);
        Assert.Equal(((int)badReturn.StatusCode, "Not allowed."), (other.GetProperty("status").GetInt32(), other.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(other.GetProperty("detail").GetString()));
        Assert.NotEqual(first.GetProperty("detail").GetString(), other.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unexpected_exception_on_a_form_endpoint_is_a_JSON_problem_whose_request_id_is_in_the_log()
    {
        // A bug planted where the notify endpoint gets its services.
        await using var host = await Start(services => services.AddScoped<GatewayTransport>(_ => throw new InvalidOperationException("A bug the test planted.")));

        var (response, body) = await Send(host.Http, new HttpRequestMessage(HttpMethod.Post, "/payments/alipay/notify")
        {
            Content = new FormUrlEncodedContent([new("out_trade_no", "T1"), new("trade_status", "TRADE_SUCCESS")]),
        });

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("urn:cloudbill:problem:Server.Unexpected", body.GetProperty("type").GetString());
        Assert.Equal("Cloudbill could not complete the request.", body.GetProperty("title").GetString());
        var requestId = body.GetProperty("requestId").GetString()!;
        Assert.Contains(requestId, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var raw = body.GetRawText();
        Assert.DoesNotContain("planted", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", raw, StringComparison.Ordinal);

        // Logged before the answer was written.
        var logged = Assert.Single(host.Log, e => e.Message.Contains(requestId, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Equal("A bug the test planted.", logged.Exception?.Message);
        Assert.Contains("POST /payments/alipay/notify", logged.Message, StringComparison.Ordinal);
    }
}
