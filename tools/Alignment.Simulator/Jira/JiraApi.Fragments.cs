using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>
/// A Jira issue as pre-rendered fragments (<see cref="FragmentCache"/>): the header, each field the issue representation
/// carries, its remote links and its change histories (one per event, the fragments' history); an issue in a page is these values copied in field order.
/// </summary>
internal static partial class JiraApi
{
    /// <summary>The values of a Jira issue's fragments; <see cref="Summary"/> to <see cref="Sprint"/> are the fields, in order.</summary>
    internal enum IssueSlot { Id, Self, Key, Summary, Status, IssueType, Parent, IssueLinks, Updated, Created, ResolutionDate, Priority, Assignee, Labels, DueDate, Points, Rank, Sprint, BusinessValue, TimeCriticality, RiskReduction, JobSize, Budget, RemoteLinks }

    /// <summary>The field names of the slots <see cref="IssueSlot.Summary"/> to <see cref="IssueSlot.Budget"/>.</summary>
    internal static readonly string[] IssueFieldNames =
        ["summary", "status", "issuetype", "parent", "issuelinks", "updated", "created", "resolutiondate", "priority", "assignee", "labels", "duedate", PointsField, RankField, SprintField,
         BusinessValueField, TimeCriticalityField, RiskReductionField, JobSizeField, BudgetField];

    private static readonly JsonEncodedText[] IssueFieldText = [.. IssueFieldNames.Select(Name)];
    private static readonly JsonEncodedText ExpandName = Name("expand");
    private static readonly JsonEncodedText ExpandValue = Name("renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations");
    private static readonly JsonEncodedText IdName = Name("id");
    private static readonly JsonEncodedText SelfName = Name("self");
    private static readonly JsonEncodedText KeyName = Name("key");
    private static readonly JsonEncodedText FieldsName = Name("fields");
    private static readonly byte[] NullValue = "null"u8.ToArray();

    private static JsonEncodedText Name(string s) => JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    /// <summary>Renders the fragments of a Jira issue as the organisation stands: one value per <see cref="IssueSlot"/>, in order, then its histories.</summary>
    internal static ItemFragments BuildFragments(FragmentBuilder b, SimContext ctx, Item it)
    {
        var org = ctx.Org;
        int off = it.Team.OffsetMinutes;
        b.Value(w => w.WriteStringValue(Id(it)));
        b.Value(w => w.WriteStringValue($"{ctx.JiraBase}/rest/api/3/issue/{it.Id}"));
        b.Value(w => w.WriteStringValue(it.Key));
        b.Value(w => w.WriteStringValue(org.Title(it)));
        b.Value(ctx.Fragments.Shared("status:" + it.Status, w => WriteStatus(w, ctx, it.Status)));
        b.Value(ctx.Fragments.Shared("issuetype:" + (int)it.Type, w => WriteIssueType(w, ctx, it.Type)));
        // The parent carries the same fields as a linked issue.
        if (it.Parent is { } p) b.Value(LinkedIssue(ctx, p)); else b.Absent();
        b.Value(w => WriteIssueLinks(w, ctx, it));
        b.Value(w => w.WriteStringValue(Format(it.Updated, off)));
        b.Value(w => w.WriteStringValue(Format(it.Created, off)));
        b.Value(w =>
        {
            if (Statuses.IsDone(it.Status)) w.WriteStringValue(Format(LastStatusChange(it), off));
            else w.WriteNullValue();
        });
        b.Value(ctx.Fragments.Shared("priority:" + it.Priority, w => WritePriority(w, ctx, it.Priority)));
        b.Value(it.Assignee >= 0 ? ctx.Fragments.Shared($"assignee:{it.Team.Index}:{it.Assignee}", w => WriteAssignee(w, ctx, it.Team.Members[it.Assignee])) : NullValue);
        b.Value(w => WriteLabels(w, it));
        b.Value(w =>
        {
            if (it.Due is { } d) w.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); else w.WriteNullValue();
        });
        b.Value(w =>
        {
            if (it.Points >= 0) w.WriteNumberValue((double)it.Points); else w.WriteNullValue();
        });
        b.Value(w => w.WriteStringValue("0|i" + it.Rank.ToString("D5", CultureInfo.InvariantCulture) + ":"));
        b.Value(SprintsOf(ctx, it));
        BuildValues(b, ctx, it);
        b.Value(w => WriteRemoteLinks(w, ctx, it));
        BuildHistories(b, ctx, it);
        return b.Build();
    }

    /// <summary>The value fields (numbers; time criticality a select-list option) or nothing when the item carries no value.</summary>
    private static void BuildValues(FragmentBuilder b, SimContext ctx, Item it)
    {
        if (it.Value is not { } v)
        {
            for (var slot = IssueSlot.BusinessValue; slot <= IssueSlot.Budget; slot++) b.Absent();
            return;
        }
        b.Value(w => w.WriteNumberValue(v.BusinessValue));
        b.Value(w =>
        {
            var option = 10100 + (int)Math.Round(v.TimeCriticality * 100) % 10000;
            w.WriteStartObject();
            w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/customFieldOption/{option.ToString(CultureInfo.InvariantCulture)}");
            w.WriteString("value", SimulatedOrganisation.ValueText(v.TimeCriticality));
            w.WriteString("id", option.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        });
        b.Value(w => w.WriteNumberValue(v.RiskReduction));
        b.Value(w => w.WriteNumberValue(v.JobSize));
        if (v.Budget is { } budget) b.Value(w => w.WriteNumberValue(budget)); else b.Absent();
    }

    private static void BuildHistories(FragmentBuilder b, SimContext ctx, Item it)
    {
        var sprintsBefore = SprintSetsBefore(ctx.Org, it);
        b.StartHistory();
        for (int i = 0; i < it.Events.Count; i++)
        {
            int k = i;
            b.Value(w => WriteHistory(w, ctx, it, k, sprintsBefore));
        }
    }

    /// <summary>An issue as another issue's parent or link shows it, shared by every issue that points at it.</summary>
    private static byte[] LinkedIssue(SimContext ctx, Item it) =>
        ctx.Fragments.Shared("linked:" + it.Index.ToString(CultureInfo.InvariantCulture), w => WriteLinkedIssue(w, ctx, ctx.Org, it));

    /// <summary>The sprint field: the issue's sprints by id, shared by the issues in the same sprints, or null.</summary>
    private static byte[] SprintsOf(SimContext ctx, Item it)
    {
        if (it.JiraSprints is not { Count: > 0 } ss) return NullValue;
        var ordered = ss.OrderBy(x => x.JiraId).ToList();
        return ctx.Fragments.Shared("sprints:" + string.Join(',', ordered.Select(s => s.JiraId)), w =>
        {
            w.WriteStartArray();
            foreach (var s in ordered) WriteSprint(w, ctx, s, agile: false);
            w.WriteEndArray();
        });
    }

    private static void WriteLabels(Utf8JsonWriter w, Item it)
    {
        w.WriteStartArray();
        if (it.Index % 7 == 0) w.WriteStringValue("customer");
        if (it.Type == ItemType.Bug) w.WriteStringValue("defect");
        w.WriteEndArray();
    }

    /// <summary>Which of <see cref="IssueFieldNames"/> a request asked for.</summary>
    internal static bool[] Mask(FieldSet fields) => [.. IssueFieldNames.Select(fields.Has)];

    /// <summary>An issue with the fields of <paramref name="fields"/> (<see cref="Mask"/>), copied from its fragments.</summary>
    internal static void WriteIssue(Utf8JsonWriter w, SimContext ctx, Item it, bool[] fields)
    {
        var f = ctx.Fragments.Of(it);
        w.WriteStartObject();
        w.WriteString(ExpandName, ExpandValue);
        w.WriteRaw(IdName, f[(int)IssueSlot.Id]);
        w.WriteRaw(SelfName, f[(int)IssueSlot.Self]);
        w.WriteRaw(KeyName, f[(int)IssueSlot.Key]);
        w.WriteStartObject(FieldsName);
        for (int i = 0; i < IssueFieldNames.Length; i++)
        {
            var value = f.Values[(int)IssueSlot.Summary + i];
            if (fields[i] && !value.IsEmpty) w.WriteRaw(IssueFieldText[i], value.Span);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>An issue as an id-only search returns it.</summary>
    private static void WriteIssueId(Utf8JsonWriter w, SimContext ctx, Item it)
    {
        w.WriteStartObject();
        w.WriteRaw(IdName, ctx.Fragments.Of(it)[(int)IssueSlot.Id]);
        w.WriteEndObject();
    }
}
