using System.Globalization;
using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>The MI figures over time (docs/figures.md, "History"): admin, PMO and management, as the rest of the MI.</summary>
public static class MiHistoryEndpoints
{
    /// <summary>Without <c>from</c>, a series starts this many days before <c>to</c> (52 weeks).</summary>
    public const int DefaultDays = 364;
    private static readonly string[] Intervals = ["day", "week", "sprint"];

    public static void MapMiHistoryEndpoints(this RouteGroupBuilder mi)
    {
        mi.MapGet("/history", async Task<Results<Ok<MiHistorySeries>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> (
                string? figure, string? team, string? from, string? to, string? interval, string? format, HttpContext http,
                TimeProvider time, IMediator mediator, CancellationToken ct) =>
            {
                if (MiEndpoints.BadFormat(format) is { } badFormat) return badFormat;
                var errors = Errors(figure, team, from, to, interval ?? "day", time, out var query);
                if (query is null) return TypedResults.ValidationProblem(errors);
                var series = await mediator.Send(query, ct);
                if (series is null) return Problems.TeamNotFound(team!);
                return MiEndpoints.WantsCsv(format, http)
                    ? MiEndpoints.CsvResult(http, $"mi-history-{series.Figure}.csv", MiCsv.History(series))
                    : TypedResults.Ok(series);
            })
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound).WithName("GetMiHistory")
            .WithSummary("A figure over time for a team or the organisation (?figure=&team=&from=&to=&interval=day|week|sprint; CSV on request): "
                + "each point with its basis (observed, back-filled from closed sprints, or the sprint figures' basis) and its explain link");

        mi.MapGet("/history/explain", async Task<Results<Ok<MiExplanation>, ValidationProblem, ProblemHttpResult>> (
                string? figure, string? team, string? day, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (MiHistory.Find(figure) is null) errors["figure"] = [FigureError(figure)];
                if (!TryDay(day, out var d)) errors["day"] = ["required, a date yyyy-MM-dd"];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                return await mediator.Send(new ExplainMiHistoryQuery(figure!, Blank(team), d), ct) is { } e
                    ? TypedResults.Ok(e) : Problems.TeamNotFound(team!);
            })
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiHistoryPoint")
            .WithSummary("The rows behind one point of a figure's history: the closed sprints as of that day, or the findings open at its end");
    }

    /// <summary>Every problem with the request, by parameter; empty when <paramref name="query"/> is set.</summary>
    private static Dictionary<string, string[]> Errors(string? figure, string? team, string? from, string? to, string interval, TimeProvider time,
        out GetMiHistoryQuery? query)
    {
        query = null;
        var errors = new Dictionary<string, string[]>();
        var f = MiHistory.Find(figure);
        if (f is null) errors["figure"] = [FigureError(figure)];
        if (!Intervals.Contains(interval)) errors["interval"] = ["must be day, week or sprint"];
        else if (f is not null && interval == "sprint" && !f.SprintBased) errors["interval"] = [$"{f.Name} is not a sprint figure: use day or week"];
        else if (f is not null && interval != "sprint" && f.SprintOnly) errors["interval"] = [$"{f.Name} is a figure of each sprint: use interval=sprint"];
        if (interval == "sprint" && Blank(team) is null) errors["team"] = ["interval=sprint needs a team (sprints are a team's)"];
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        DateOnly toDay = today, fromDay = default;
        if (to is not null && !TryDay(to, out toDay)) errors["to"] = ["must be a date yyyy-MM-dd"];
        if (from is not null && !TryDay(from, out fromDay)) errors["from"] = ["must be a date yyyy-MM-dd"];
        if (from is null) fromDay = toDay.AddDays(-DefaultDays);
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && fromDay > toDay) errors["from"] = ["must not be after to"];
        if (errors.Count == 0) query = new GetMiHistoryQuery(f!.Name, Blank(team), fromDay, toDay, interval);
        return errors;
    }

    private static string FigureError(string? figure) =>
        $"{(string.IsNullOrEmpty(figure) ? "required" : $"unknown figure '{figure}'")}: one of {string.Join(", ", MiHistory.Figures.Select(x => x.Name))}";

    private static bool TryDay(string? s, out DateOnly day) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
