using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Alignment.Host.Hosting;

/// <summary>
/// PostgreSQL cannot be reached (stopped, restarting, unreachable, the pool exhausted): a request answers
/// 503 problem details with Retry-After instead of a 500, and the pool's idle connections (which died with
/// the server) are dropped so the first requests after the database is back do not fail on them.
/// Nothing of the exception reaches the body: no message (it can name the host), no stack trace.
/// </summary>
public sealed class StoreUnavailableExceptionHandler(
    IProblemDetailsService problems, NpgsqlDataSource dataSource, ILogger<StoreUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 10;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!StoreUnavailable.Is(exception) || http.Response.HasStarted) return false;
        dataSource.Clear();
        logger.LogWarning("{Method} {Path}: the store is unavailable ({Cause}); answered 503",
            http.Request.Method, http.Request.Path, StoreUnavailable.Cause(exception));
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
                Title = "The store is unavailable",
                Detail = $"The database cannot be reached just now. Try again in {RetryAfterSeconds} seconds.",
            },
        });
    }
}

/// <summary>Recognises the exceptions of a database that is down or unreachable (as opposed to a bad query).</summary>
public static class StoreUnavailable
{
    public static bool Is(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, class 08: connection exceptions.
                case PostgresException pg:
                    return pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                        || pg.SqlState.StartsWith("08", StringComparison.Ordinal);
                // Connection refused or broken, I/O on a dead socket, connect or pool timeouts.
                case NpgsqlException npg when npg.IsTransient || npg.InnerException is SocketException or IOException or TimeoutException:
                    return true;
                case TimeoutException or SocketException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>What the log says: exception types and SQL state, never the message (it can carry the host or more).</summary>
    public static string Cause(Exception e) =>
        e is PostgresException pg ? $"{nameof(PostgresException)} {pg.SqlState}"
        : e.InnerException is { } inner ? $"{e.GetType().Name} ← {inner.GetType().Name}" : e.GetType().Name;
}
