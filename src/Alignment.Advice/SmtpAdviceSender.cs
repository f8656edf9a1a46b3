using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Alignment.Advice;

/// <summary>
/// Sends outbox messages over SMTP with MailKit: one connection per delivery pass, opened lazily and re-opened after
/// a failure, so one rejected recipient never stops the others. The password is read from the environment variable
/// that <c>Smtp:PasswordEnv</c> names, and never logged.
/// </summary>
public sealed class SmtpAdviceSender(SmtpOptions options) : IAsyncDisposable
{
    private SmtpClient? _client;

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var client = await ConnectedAsync(ct);
        try
        {
            await client.SendAsync(message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not SmtpCommandException)
        {
            // The connection may be broken: start afresh for the next message.
            await DropAsync();
            throw;
        }
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken ct)
    {
        if (_client is { IsConnected: true }) return _client;
        await DropAsync();
        var client = new SmtpClient { Timeout = 30_000 };
        try
        {
            var security = options.Security switch
            {
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(options.Host, options.Port, security, ct);
            if (!string.IsNullOrWhiteSpace(options.User))
                await client.AuthenticateAsync(options.User, Environment.GetEnvironmentVariable(options.PasswordEnv ?? "") ?? "", ct);
            _client = client;
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task DropAsync()
    {
        if (_client is null) return;
        try { if (_client.IsConnected) await _client.DisconnectAsync(true); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or SmtpCommandException) { }
        _client.Dispose();
        _client = null;
    }

    public async ValueTask DisposeAsync() => await DropAsync();
}
