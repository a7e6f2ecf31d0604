using System.Text.Json;
using BTCPayServer.Plugins.Escrow.Core.Notifications;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Host.Workers;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace BTCPayServer.Plugins.Escrow.Host.Mail;

/// <summary>
/// Sends what the outbox holds through the configured SMTP server (MailKit). A failure is recorded on the email, which
/// is tried again after a growing pause (<see cref="OutgoingEmail.Backoff"/>); nothing a mail server does reaches an act.
/// Errors are logged by email id and reason only: never a body, which carries a party link.
/// </summary>
public sealed class MailOutboxWorker(
    StartupGate startup, IEmailOutbox outbox, IDataProtectionProvider protection, IOptions<EscrowHostOptions> options,
    TimeProvider clock, ILogger<MailOutboxWorker> logger) : BackgroundService
{
    private const int Batch = 20;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var smtp = options.Value.Smtp;
        if (!smtp.IsConfigured)
            return Task.CompletedTask;
        var interval = WorkerLoop.Interval(options.Value);
        // The exception's type only: a mail library's message may quote what it was sending.
        return WorkerLoop.RunAsync(startup, interval, ct => SendDueAsync(smtp, ct),
            e => logger.LogError("Mail outbox pass failed ({Error}); retrying in {Interval}", e.GetType().Name, interval), stoppingToken);
    }

    private async Task SendDueAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var due = await outbox.DueAsync(clock.GetUtcNow(), Batch, cancellationToken);
        if (due.Count == 0)
            return;
        var protector = OutboxNotifier.Protector(protection);
        using var client = new SmtpClient();
        foreach (var email in due)
        {
            try
            {
                var content = JsonSerializer.Deserialize<EmailContent>(protector.Unprotect(email.SealedContent!))!;
                if (!client.IsConnected)
                {
                    await client.ConnectAsync(smtp.Host!, smtp.Port, SocketOptions(smtp), cancellationToken);
                    if (!string.IsNullOrEmpty(smtp.User))
                        await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken);
                }
                await client.SendAsync(Message(smtp, email, content), cancellationToken);
                email.MarkSent(clock.GetUtcNow());
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                email.MarkFailed(clock.GetUtcNow(), $"{e.GetType().Name}: {e.Message}");
                logger.LogWarning("Email {EmailId} was not sent ({Error}); {Next}", email.Id, e.GetType().Name,
                    email.GaveUp ? "given up after the last attempt" : $"next attempt at {email.NextAttemptAt:O}");
                if (client.IsConnected)
                    await client.DisconnectAsync(true, CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None);
            }
            await outbox.UpdateAsync(email, CancellationToken.None);
        }
        if (client.IsConnected)
            await client.DisconnectAsync(true, cancellationToken);
    }

    private static SecureSocketOptions SocketOptions(SmtpOptions smtp) => smtp.Tls switch
    {
        SmtpTls.StartTls => SecureSocketOptions.StartTls,
        SmtpTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpTls.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.Auto,
    };

    private static MimeMessage Message(SmtpOptions smtp, OutgoingEmail email, EmailContent content)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From!));
        message.To.Add(MailboxAddress.Parse(email.Recipient));
        message.Subject = email.Subject;
        message.Body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html }.ToMessageBody();
        return message;
    }
}
