using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Alignment.AzureDevOps.Wire;

/// <summary>The answer of one WIQL query: the ids, or <see cref="TooMany"/> when the server refused with VS402337 (over 20,000 results).</summary>
public sealed record WiqlAnswer(IReadOnlyList<int> Ids, bool TooMany);

/// <summary>
/// Azure DevOps REST 7.1 calls used by the sync, relative to the organisation / collection URL (the
/// transport's base address). Every call carries <c>api-version</c>; project and team names are escaped
/// path segments.
/// </summary>
public sealed class AzureDevOpsClient(TrackerApi api, string apiVersion = "7.1")
{
    /// <summary>At most this many ids per workitemsbatch call (VS403474 above it).</summary>
    public const int MaxBatchIds = 200;

    private static AzureDevOpsJson Json => AzureDevOpsJson.Default;

    public TrackerApi Api => api;
    public string ApiVersion => apiVersion;

    private string V => "api-version=" + Uri.EscapeDataString(apiVersion);

    public static string Segment(string name) => Uri.EscapeDataString(name);

    private static string Team(string project, string team) => $"{Segment(project)}/{Segment(team)}";

    /// <summary>Runs a flat WIQL query in the team's context with time precision. A VS402337 refusal is returned, not thrown.</summary>
    public async Task<WiqlAnswer> QueryIdsAsync(string project, string team, string wiql, CancellationToken ct)
    {
        var relative = $"{Team(project, team)}/_apis/wit/wiql?{V}&timePrecision=true";
        var request = $"POST {relative}";
        var body = JsonSerializer.SerializeToUtf8Bytes(new AdoWiqlRequest(wiql), Json.AdoWiqlRequest);
        // A truncated answer is retried in the transport like any other; a 400 saying VS402337 is an answer, not an error.
        var (_, result, _) = await api.SendOrAnswerAsync(() => new HttpRequestMessage(HttpMethod.Post, relative)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        }, request, Json.AdoWiqlResult,
            (status, bytes) => status == HttpStatusCode.BadRequest && Encoding.UTF8.GetString(bytes).Contains("VS402337", StringComparison.Ordinal), ct)
            .ConfigureAwait(false);
        if (result is null) return new WiqlAnswer([], TooMany: true);
        return new WiqlAnswer((result.WorkItems ?? []).Select(w => w.Id).ToList(), TooMany: false);
    }

    /// <summary>Hydrates up to 200 work items with all fields and relations; deleted or inaccessible ids are skipped.</summary>
    public async Task<AdoWorkItemBatch> GetWorkItemsAsync(string project, IReadOnlyList<int> ids, CancellationToken ct)
    {
        if (ids.Count > MaxBatchIds) throw new ArgumentException($"at most {MaxBatchIds} ids per call", nameof(ids));
        if (ids.Count == 0) return new AdoWorkItemBatch([], []);
        var relative = $"{Segment(project)}/_apis/wit/workitemsbatch?{V}";
        var list = await api.PostAsync(relative, new AdoWorkItemsBatchRequest { Ids = [.. ids] }, Json.AdoWorkItemsBatchRequest, Json.AdoListJsonElement, ct)
            .ConfigureAwait(false);
        // One work item that cannot be read is returned as a failure (quarantined by the sync), not thrown.
        var failures = new List<ItemFailure>();
        var items = ItemReader.Read(list.Value.Where(e => e.ValueKind != JsonValueKind.Null).ToList(), "POST " + relative, "$.value",
            e => e.Deserialize(Json.AdoWorkItem) ?? throw new JsonException("the work item is JSON null"), failures, Json.AdoWorkItem);
        return new AdoWorkItemBatch(items, failures);
    }

    public Task<AdoBacklogConfiguration> GetBacklogConfigurationAsync(string project, string team, CancellationToken ct) =>
        api.GetAsync($"{Team(project, team)}/_apis/work/backlogconfiguration?{V}", Json.AdoBacklogConfiguration, ct);

    public async Task<IReadOnlyList<AdoWorkItemStateColor>> GetWorkItemTypeStatesAsync(string project, string type, CancellationToken ct) =>
        (await api.GetAsync($"{Segment(project)}/_apis/wit/workitemtypes/{Segment(type)}/states?{V}", Json.AdoListAdoWorkItemStateColor, ct)
            .ConfigureAwait(false)).Value;

    public Task<AdoTeamSettings> GetTeamSettingsAsync(string project, string team, CancellationToken ct) =>
        api.GetAsync($"{Team(project, team)}/_apis/work/teamsettings?{V}", Json.AdoTeamSettings, ct);

    public Task<AdoTeamFieldValues> GetTeamFieldValuesAsync(string project, string team, CancellationToken ct) =>
        api.GetAsync($"{Team(project, team)}/_apis/work/teamsettings/teamfieldvalues?{V}", Json.AdoTeamFieldValues, ct);

    public async Task<IReadOnlyList<AdoIteration>> GetIterationsAsync(string project, string team, CancellationToken ct) =>
        (await api.GetAsync($"{Team(project, team)}/_apis/work/teamsettings/iterations?{V}", Json.AdoListAdoIteration, ct)
            .ConfigureAwait(false)).Value;

    public Task<AdoCapacities> GetCapacitiesAsync(string project, string team, string iterationId, CancellationToken ct) =>
        api.GetAsync($"{Team(project, team)}/_apis/work/teamsettings/iterations/{Segment(iterationId)}/capacities?{V}", Json.AdoCapacities, ct);

    public Task<AdoTeamDaysOff> GetTeamDaysOffAsync(string project, string team, string iterationId, CancellationToken ct) =>
        api.GetAsync($"{Team(project, team)}/_apis/work/teamsettings/iterations/{Segment(iterationId)}/teamdaysoff?{V}", Json.AdoTeamDaysOff, ct);

    /// <summary>One page of the reporting revisions stream of a project, resuming from <paramref name="continuationToken"/> (null = from the beginning).</summary>
    public Task<AdoRevisionsPage> GetRevisionsPageAsync(string project, IEnumerable<string> fields, string? continuationToken, CancellationToken ct, int maxPageSize = 1000)
    {
        var q = new StringBuilder($"{Segment(project)}/_apis/wit/reporting/workitemrevisions?{V}");
        if (!string.IsNullOrEmpty(continuationToken)) q.Append("&continuationToken=").Append(Uri.EscapeDataString(continuationToken));
        q.Append("&$maxPageSize=").Append(maxPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        q.Append("&fields=").Append(string.Join(",", fields.Distinct(StringComparer.OrdinalIgnoreCase).Select(Uri.EscapeDataString)));
        return api.GetAsync(q.ToString(), Json.AdoRevisionsPage, ct);
    }

    /// <summary>The raw JSON of a work item (for <c>raw</c> storage).</summary>
    public static string RawJson(AdoWorkItem item) => JsonSerializer.Serialize(item, Json.AdoWorkItem);
}

/// <summary>The work items of one answer that could be read, and those that could not.</summary>
public sealed record AdoWorkItemBatch(List<AdoWorkItem> Items, List<ItemFailure> Failures);
