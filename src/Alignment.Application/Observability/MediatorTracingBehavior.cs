using System.Diagnostics;
using Mediator;

namespace Alignment.Application.Observability;

/// <summary>One span per mediator message (<c>mediator {Message}</c>), between the HTTP or job span and the SQL and tracker spans.</summary>
public sealed class MediatorTracingBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse> where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        using var activity = AlignmentTelemetry.ActivitySource.StartActivity("mediator " + typeof(TMessage).Name);
        try
        {
            return await next(message, ct);
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }
}
