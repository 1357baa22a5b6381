using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Cloudbill.Testing;

/// <summary>One message the test server accepted.</summary>
public sealed record ReceivedEmail(string From, IReadOnlyList<string> To, MimeMessage Message);

/// <summary>
/// A tiny SMTP server on 127.0.0.1 for tests: no TLS, no sign-in, just enough SMTP for MailKit
/// (greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). It records what it accepts, and
/// can refuse recipients (550) to test failures.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<ReceivedEmail> received = new();
    private readonly List<Task> sessions = [];
    private readonly Task accepting;
    private int refusedRecipients;

    public TestSmtpServer()
    {
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = Accept();
    }

    public int Port { get; }

    /// <summary>Recipients answered with 550 (mailbox unavailable); none by default.</summary>
    public Func<string, bool> RefuseRecipient { get; set; } = _ => false;

    public IReadOnlyList<ReceivedEmail> Received => [.. received];

    /// <summary>How many RCPT commands were refused.</summary>
    public int RefusedRecipients => Volatile.Read(ref refusedRecipients);

    private async Task Accept()
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stopping.Token);
                lock (sessions)
                    sessions.Add(Serve(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        var ct = stopping.Token;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8, false, 1024, leaveOpen: true);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1024, leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };

            await writer.WriteLineAsync("220 test.local ESMTP ready");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-test.local\r\n250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 test.local");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT" when RefuseRecipient(Address(line)):
                        Interlocked.Increment(ref refusedRecipients);
                        await writer.WriteLineAsync("550 5.1.1 Mailbox unavailable");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 2.1.5 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(ct) is { } dataLine && dataLine != ".")
                            data.Append(dataLine.StartsWith('.') ? dataLine[1..] : dataLine).Append("\r\n");
                        var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(data.ToString())), ct);
                        received.Enqueue(new ReceivedEmail(from ?? "", [.. to], message));
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 Queued");
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>"MAIL FROM:&lt;a@b&gt; SIZE=10" → "a@b".</summary>
    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await accepting;
        Task[] open;
        lock (sessions)
            open = [.. sessions];
        await Task.WhenAll(open);
        stopping.Dispose();
    }
}
