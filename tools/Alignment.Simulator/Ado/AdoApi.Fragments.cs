using System.Text.Encodings.Web;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>
/// An Azure DevOps work item as pre-rendered fragments (<see cref="FragmentCache"/>): each field as the item stands,
/// its relations and URL. A work item batch copies them; a revision copies the fields that are the item's (title,
/// area, assignee …) and renders the few that change from revision to revision.
/// </summary>
internal static partial class AdoApi
{
    /// <summary>The values of a work item's fragments; <see cref="Id"/> to <see cref="Tags"/> are the fields, in the order items carry them.</summary>
    internal enum Slot
    {
        Id, Rev, AreaPath, TeamProject, IterationPath, IterationId, WorkItemType, State, Reason, AssignedTo, CreatedDate, ChangedDate,
        Title, Parent, BacklogPriority, Priority, Effort, TargetDate, ClosedDate,
        /// <summary>Value fields (<see cref="SimulatorOptions.Value"/>): the built-in ones and the custom fields the demo configures.</summary>
        BusinessValue, TimeCriticality, RiskReduction, JobSize, Budget, Tags,
        /// <summary><c>System.AssignedTo</c> as a name (without <c>includeIdentityRef</c>).</summary>
        AssignedToName,
        Relations,
        Url,
    }

    private static readonly string[] FieldNames =
    [
        "System.Id", "System.Rev", "System.AreaPath", "System.TeamProject", "System.IterationPath", "System.IterationId", "System.WorkItemType",
        "System.State", "System.Reason", "System.AssignedTo", "System.CreatedDate", "System.ChangedDate", "System.Title", "System.Parent",
        "Microsoft.VSTS.Common.BacklogPriority", "Microsoft.VSTS.Common.Priority", "", "Microsoft.VSTS.Scheduling.TargetDate",
        "Microsoft.VSTS.Common.ClosedDate", "Microsoft.VSTS.Common.BusinessValue", "Microsoft.VSTS.Common.TimeCriticality", "Custom.RiskReduction",
        "Custom.JobSize", "Custom.Budget", "System.Tags",
    ];

    private static string FieldName(int slot, bool scrum) => slot == (int)Slot.Effort ? EffortField(scrum) : FieldNames[slot];

    private static readonly JsonEncodedText[][] FieldText =
        [[.. FieldNames.Select((_, i) => Name(FieldName(i, scrum: false)))], [.. FieldNames.Select((_, i) => Name(FieldName(i, scrum: true)))]];

    private static readonly JsonEncodedText RelationsName = Name("relations");
    private static readonly JsonEncodedText UrlName = Name("url");

    private static JsonEncodedText Name(string s) => JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    /// <summary>The fields a request asks for, per process (the effort field's name differs).</summary>
    private sealed class FieldMask(Func<string, bool> want)
    {
        private readonly bool[][] _byProcess = [[.. FieldNames.Select((_, i) => want(FieldName(i, scrum: false)))], [.. FieldNames.Select((_, i) => want(FieldName(i, scrum: true)))]];

        public bool[] For(Team t) => _byProcess[t.Scrum ? 1 : 0];
    }

    /// <summary>Fields that differ from revision to revision: a revision renders them, and copies the others as the item stands.</summary>
    private static bool PerRevision(Slot slot) =>
        slot is Slot.Rev or Slot.IterationPath or Slot.IterationId or Slot.State or Slot.Reason or Slot.ChangedDate or Slot.Effort or Slot.ClosedDate;

    private static readonly JsonEncodedText IdName = Name("id");
    private static readonly JsonEncodedText RevName = Name("rev");
    private static readonly JsonEncodedText FieldsName = Name("fields");

    /// <summary>Whether the item carries the field at the snapshot.</summary>
    private static bool Carries(Slot slot, Item it, Snapshot s) => slot switch
    {
        Slot.AssignedTo => it.Assignee >= 0,
        Slot.Parent => it.Parent is not null,
        Slot.Effort => s.Points >= 0 && it.Type is ItemType.Story or ItemType.Bug,
        Slot.TargetDate => it.Due is not null && it.Type is ItemType.Epic or ItemType.Feature,
        Slot.ClosedDate => Statuses.IsDone(s.Status),
        Slot.Tags => it.Index % 5 == 0 || it.Type == ItemType.Bug,
        Slot.BusinessValue or Slot.TimeCriticality or Slot.RiskReduction or Slot.JobSize => it.Value is not null,
        Slot.Budget => it.Value?.Budget is not null,
        _ => true,
    };

    /// <summary>Renders the fragments of a work item as the organisation stands.</summary>
    internal static ItemFragments BuildFragments(FragmentBuilder b, SimContext ctx, Item it)
    {
        var now = new Snapshot(it.Points, it.Status, it.Iteration, it.Updated);
        for (var slot = Slot.Id; slot <= Slot.Tags; slot++)
        {
            var s = slot;
            if (!Carries(s, it, now)) b.Absent();
            else if (s == Slot.AssignedTo) b.Value(AssignedTo(ctx, it, identityRef: true));
            else b.Value(w => WriteValue(w, s, ctx, it, now, it.Rev));
        }
        if (it.Assignee >= 0) b.Value(AssignedTo(ctx, it, identityRef: false)); else b.Absent();
        b.Value(w => WriteRelations(w, ctx, it));
        b.Value(w => w.WriteStringValue(ItemUrl(ctx, it.Id)));
        return b.Build();
    }

    /// <summary>
    /// The fields of a work item: as it stands (<paramref name="s"/> null), copied from its fragments; or at revision
    /// <paramref name="rev"/>, whose snapshot <paramref name="s"/> gives the fields that differ per revision.
    /// </summary>
    private static void WriteFields(Utf8JsonWriter w, SimContext ctx, Item it, Snapshot? s, int rev, FieldMask mask, bool identityRef)
    {
        var f = ctx.Fragments.Of(it);
        var want = mask.For(it.Team);
        var names = FieldText[it.Team.Scrum ? 1 : 0];
        for (var slot = Slot.Id; slot <= Slot.Tags; slot++)
        {
            if (!want[(int)slot]) continue;
            if (s is { } at && PerRevision(slot))
            {
                if (!Carries(slot, it, at)) continue;
                w.WritePropertyName(names[(int)slot]);
                WriteValue(w, slot, ctx, it, at, rev);
                continue;
            }
            var value = f.Values[(int)(slot == Slot.AssignedTo && !identityRef ? Slot.AssignedToName : slot)];
            if (!value.IsEmpty) w.WriteRaw(names[(int)slot], value.Span);
        }
    }

    /// <summary>The value of one field (not <see cref="Slot.AssignedTo"/>, which is shared: <see cref="AssignedTo"/>).</summary>
    private static void WriteValue(Utf8JsonWriter w, Slot slot, SimContext ctx, Item it, Snapshot s, int rev)
    {
        var t = it.Team;
        switch (slot)
        {
            case Slot.Id: w.WriteNumberValue(it.Id); break;
            case Slot.Rev: w.WriteNumberValue(rev); break;
            case Slot.AreaPath: w.WriteStringValue(t.AreaPath); break;
            case Slot.TeamProject: w.WriteStringValue(t.Project); break;
            case Slot.IterationPath: w.WriteStringValue(s.Iteration?.AdoPath ?? t.AreaPath); break;
            case Slot.IterationId: w.WriteNumberValue(s.Iteration?.AdoNodeId ?? t.BacklogIterationNodeId); break;
            case Slot.WorkItemType: w.WriteStringValue(Statuses.AdoTypeName(it.Type, t.Scrum)); break;
            case Slot.State: w.WriteStringValue(Statuses.AdoStateFor(it.Type, s.Status, t.Scrum)); break;
            case Slot.Reason: w.WriteStringValue(Reason(s.Status)); break;
            case Slot.CreatedDate: WriteIso(w, it.Created); break;
            case Slot.ChangedDate: WriteIso(w, s.Changed); break;
            case Slot.Title: w.WriteStringValue(ctx.Org.Title(it)); break;
            case Slot.Parent: w.WriteNumberValue(it.Parent!.Id); break;
            case Slot.BacklogPriority: w.WriteNumberValue(1000.0 + it.Rank * 10.5); break;
            case Slot.Priority: w.WriteNumberValue(it.Priority); break;
            case Slot.Effort: w.WriteNumberValue((double)s.Points); break;
            case Slot.TargetDate: w.WriteStringValue(DateIso(it.Due!.Value)); break;
            case Slot.ClosedDate: WriteIso(w, ClosedAt(it, rev)); break;
            case Slot.BusinessValue: w.WriteNumberValue(it.Value!.BusinessValue); break;
            case Slot.TimeCriticality: w.WriteNumberValue(it.Value!.TimeCriticality); break;
            case Slot.RiskReduction: w.WriteNumberValue(it.Value!.RiskReduction); break;
            case Slot.JobSize: w.WriteNumberValue(it.Value!.JobSize); break;
            case Slot.Budget: w.WriteNumberValue(it.Value!.Budget!.Value); break;
            case Slot.Tags: w.WriteStringValue(it.Type == ItemType.Bug ? "defect; customer" : "customer"); break;
            default: throw new ArgumentOutOfRangeException(nameof(slot), slot, "not a field rendered per item");
        }
    }

    /// <summary><see cref="SimulatedOrganisation.Iso"/> as a JSON string, without a format string to interpret: a revision may carry two.</summary>
    internal static void WriteIso(Utf8JsonWriter w, long ms)
    {
        Span<byte> text = stackalloc byte[24];
        var t = DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
        Digits(text[..4], t.Year);
        text[4] = (byte)'-';
        Digits(text.Slice(5, 2), t.Month);
        text[7] = (byte)'-';
        Digits(text.Slice(8, 2), t.Day);
        text[10] = (byte)'T';
        Digits(text.Slice(11, 2), t.Hour);
        text[13] = (byte)':';
        Digits(text.Slice(14, 2), t.Minute);
        text[16] = (byte)':';
        Digits(text.Slice(17, 2), t.Second);
        text[19] = (byte)'.';
        Digits(text.Slice(20, 3), t.Millisecond);
        text[23] = (byte)'Z';
        w.WriteStringValue(text);
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (int i = into.Length - 1; i >= 0; i--, value /= 10) into[i] = (byte)('0' + value % 10);
    }

    private static string Reason(int status) => status switch
    {
        0 or 1 => "New",
        2 => "Implementation started",
        3 => "Code complete and unit tests pass",
        6 => "Removed from the backlog",
        _ => "Acceptance tests pass",
    };

    /// <summary>When the item last changed status before revision <paramref name="rev"/> (its creation if never).</summary>
    private static long ClosedAt(Item it, int rev)
    {
        for (int i = Math.Min(rev - 1, it.Events.Count) - 1; i >= 0; i--)
            if (it.Events[i].Kind == EvKind.Status) return it.Events[i].At;
        return it.Created;
    }

    /// <summary><c>System.AssignedTo</c> of the item's assignee, as an identity or as a name; shared by the member's items.</summary>
    private static byte[] AssignedTo(SimContext ctx, Item it, bool identityRef)
    {
        var m = it.Team.Members[it.Assignee];
        return ctx.Fragments.Shared($"{(identityRef ? "identity" : "name")}:{it.Team.Index}:{it.Assignee}", w =>
        {
            if (!identityRef)
            {
                w.WriteStringValue($"{m.DisplayName} <{m.Email}>");
                return;
            }
            w.WriteStartObject();
            w.WriteString("displayName", m.DisplayName);
            w.WriteString("url", $"{ctx.AdoBase}/_apis/Identities/{m.Guid}");
            w.WriteString("id", m.Guid.ToString());
            w.WriteString("uniqueName", m.Email);
            w.WriteString("descriptor", "aad." + Convert.ToBase64String(m.Guid.ToByteArray()).TrimEnd('='));
            w.WriteEndObject();
        });
    }
}
