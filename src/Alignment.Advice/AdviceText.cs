using System.Globalization;

namespace Alignment.Advice;

/// <summary>The words of the digest and the alert in one language (en, nl). Tracker text is inserted as plain text; the templates encode it.</summary>
public sealed class AdviceText
{
    public required string Language { get; init; }
    public required string Greeting { get; init; }
    public required string Intro { get; init; }
    public required string UnblockHeading { get; init; }
    public required string UnblockIntro { get; init; }
    public required string ProtectHeading { get; init; }
    public required string ProtectIntro { get; init; }
    public required string EpicsHeading { get; init; }
    public required string EpicsIntro { get; init; }
    public required string HygieneHeading { get; init; }
    public required string HygieneIntro { get; init; }
    public required string ReorderHeading { get; init; }
    public required string ReorderIntro { get; init; }
    public required Func<double, string, int, string, double, int, string> ReorderFormat { get; init; } // wsjf, inputs, position, aboveKey, aboveWsjf, abovePosition
    public required Func<string, string> ReorderAction { get; init; }                // the move
    public required Func<double?, double?, double?, double?, string> InputsFormat { get; init; } // business value, time criticality, risk reduction, job size
    public required string Nothing { get; init; }
    public required string Why { get; init; }
    public required string Do { get; init; }
    public required string SeeAlso { get; init; }
    public required string FullList { get; init; }
    public required string Footer { get; init; }
    public required string AlertIntro { get; init; }
    public required Func<string, int, string> SubjectFormat { get; init; }
    public required Func<string, string> AlertSubjectFormat { get; init; }
    public required Func<int, string> MoreFormat { get; init; }
    public required Func<string, string, string> WaitsFormat { get; init; }          // teams, items
    public required Func<string, string> NeededFromFormat { get; init; }             // date
    public required string NotPlanned { get; init; }
    public required Func<string, string, int, string> LateFormat { get; init; }      // sprint, ends, days
    public required Func<string, string> OverlapFormat { get; init; }                // sprint
    public required Func<int, int, string> RankFormat { get; init; }                 // rank, size
    public required Func<string, string, string> UnblockActionFormat { get; init; }  // key, date
    public required Func<string, string> UnblockActionNoDate { get; init; }          // key
    public required Func<string, string> CycleFormat { get; init; }                  // teams
    public required string CycleAction { get; init; }
    public required Func<string, double, double, double, double, string> OvercommitFormat { get; init; } // sprint, committed, expected, p50, over
    public required Func<string, double, double, string> MoveOutFormat { get; init; }  // keys, moved, remaining
    public required Func<string, double, double, string> MoveOutShortFormat { get; init; } // keys, moved, remaining
    public required string NothingToMove { get; init; }
    public required Func<string, string, int, string, string> EpicFormat { get; init; } // p85, target, daysLate, p50
    public required Func<string, double, int, int, string> DriverFormat { get; init; } // team, points, open, unestimated
    public required Func<string, string> UpstreamFormat { get; init; }               // keys
    public required Func<string, string> EpicActionFormat { get; init; }             // team
    public required Func<string, string> UnestimatedSprintFormat { get; init; }      // sprint
    public required Func<int, string> UnestimatedTopFormat { get; init; }            // top n
    public required Func<string, string> EstimateAction { get; init; }
    public required Func<int, string, string> StaleFormat { get; init; }             // days, since
    public required Func<string, string> StaleAction { get; init; }
    public required Func<string, string> OrphanFormat { get; init; }                 // type
    public required Func<string, string> OrphanAction { get; init; }
    public required string OwnTeam { get; init; }
    public required string And { get; init; }
    // Week over week (WeekOverWeek): the summary, the section's changes, the team lines.
    public required string FirstDigest { get; init; }
    public required Func<string, int, int, int, string> SinceFormat { get; init; }        // week, new, resolved, still open
    public required Func<string, int, int, int, string> SectionSinceFormat { get; init; } // week, new, resolved, still open
    public required string NewLabel { get; init; }
    public required string ResolvedLabel { get; init; }
    public required string StillOpenLabel { get; init; }
    public required string TeamsHeading { get; init; }
    public required string TeamsIntro { get; init; }
    public required Func<int, string> SayDoFormat { get; init; }                          // percent
    public required Func<int, int, int, string, string> SayDoTrendFormat { get; init; }   // percent, weeks ago, percent then, arrow
    public required string SayDoUnknown { get; init; }
    public required Func<string, int, string> PredictabilityFormat { get; init; }         // interval, percent
    public required Func<string, int, string, int, string, string> PredictabilityTrendFormat { get; init; } // interval, percent, previous, its percent, arrow

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    private static string N2(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Opt(double? v) => v is { } d ? N2(d) : "–";

    public string List(IReadOnlyList<string> parts) =>
        parts.Count <= 1 ? string.Concat(parts) : string.Join(", ", parts.Take(parts.Count - 1)) + " " + And + " " + parts[^1];

    public static AdviceText For(string language) => language == "nl" ? Dutch : English;

    public static readonly AdviceText English = new()
    {
        Language = "en",
        Greeting = "Hello",
        Intro = "This week's prioritisation advice for your teams, most important first. Every line says why and links to the item.",
        UnblockHeading = "Unblock other teams",
        UnblockIntro = "Move these up: other teams' planned work waits for them.",
        ProtectHeading = "Protect the sprint",
        ProtectIntro = "These sprints commit more than the team's P50 velocity × available capacity.",
        EpicsHeading = "Epics at risk",
        EpicsIntro = "The 85 % forecast of these epics is later than their target.",
        HygieneHeading = "Backlog hygiene",
        HygieneIntro = "Tidy these so that planning and forecasts can be trusted.",
        ReorderHeading = "Reconsider the order",
        ReorderIntro = "Epics and features ranked below items of clearly less value (WSJF), the most value at stake first.",
        ReorderFormat = (w, inputs, pos, above, aw, apos) => $"WSJF {N2(w)} ({inputs}) at position {pos}, below {above} at {apos} with WSJF {N2(aw)}.",
        ReorderAction = move => $"Reconsider the order: {move}; or correct the value inputs if they are wrong.",
        InputsFormat = (bv, tc, rr, js) => $"business value {Opt(bv)}, time criticality {Opt(tc)}, risk reduction {Opt(rr)}, job size {Opt(js)}",
        Nothing = "Nothing to act on this week.",
        Why = "Why",
        Do = "Do",
        SeeAlso = "Items",
        FullList = "Full list",
        Footer = "Sent by Alignment for the Agile PMO. Figures come from the last analysis of Jira and Azure DevOps.",
        AlertIntro = "A new critical cross-team dependency involves your team:",
        SubjectFormat = (week, n) => $"Prioritisation advice, week {week}: {n} {(n == 1 ? "suggestion" : "suggestions")}",
        AlertSubjectFormat = key => $"Alignment alert: critical cross-team dependency ({key})",
        MoreFormat = n => $"and {n} more",
        WaitsFormat = (teams, items) => $"{teams} {(teams.Contains(',') || teams.Contains(" and ") ? "wait" : "waits")} for it: {items}.",
        NeededFromFormat = d => $"needed from {d}",
        NotPlanned = "It is not planned in any sprint.",
        LateFormat = (s, e, d) => $"It is planned in {s}, which ends {e}: {d} days after the waiting work's sprint ends.",
        OverlapFormat = s => $"It is planned in {s}, which overlaps the waiting sprint: at risk.",
        RankFormat = (r, n) => $"It ranks {r} of {n} in the team's backlog.",
        UnblockActionFormat = (k, d) => $"Move {k} up and plan it to be done before {d}, or agree with the waiting teams what can wait.",
        UnblockActionNoDate = k => $"Move {k} up and plan it before the work that waits for it.",
        CycleFormat = t => $"These items depend on each other across {t}.",
        CycleAction = "Agree which item goes first and remove or reverse one of the dependency links.",
        OvercommitFormat = (s, c, e, p, o) => $"{s} commits {N(c)} points against {N(e)} expected (P50 velocity {N(p)} × available capacity): {o.ToString("P0", CultureInfo.InvariantCulture)} over.",
        MoveOutFormat = (k, m, r) => $"Move out {k} ({N(m)} points, the lowest-ranked items no other team waits for); that leaves {N(r)} points.",
        MoveOutShortFormat = (k, m, r) => $"Move out {k} ({N(m)} points, the lowest-ranked items no other team waits for); {N(r)} points remain, still over: reduce scope with the team.",
        NothingToMove = "Every estimated item in it is needed by another team: reduce scope with the team and the waiting teams.",
        EpicFormat = (p85, t, d, p50) => $"85 % forecast {p85} is {d} days after the target {t} (50 %: {p50}).",
        DriverFormat = (t, p, o, u) => $"The last part is {t}'s: {N(p)} points in {o} open items{(u > 0 ? $", {u} unestimated" : "")}.",
        UpstreamFormat = k => $"Upstream blockers: {k}.",
        EpicActionFormat = t => $"Cut scope, move the target, or raise its priority with {t}.",
        UnestimatedSprintFormat = s => $"Planned in {s} but has no estimate.",
        UnestimatedTopFormat = n => $"In the top {n} of the backlog but has no estimate.",
        EstimateAction = k => $"Estimate {k} in the next refinement.",
        StaleFormat = (d, since) => $"In progress without an update for {d} days (since {since}).",
        StaleAction = k => $"Check whether {k} is still being worked on; update, split or move it back.",
        OrphanFormat = t => $"This {t} has no parent epic or feature.",
        OrphanAction = k => $"Link {k} to the epic or feature it delivers, or question whether it is needed.",
        OwnTeam = "your own team",
        And = "and",
        FirstDigest = "This is your first digest: everything in it is new.",
        SinceFormat = (w, n, r, s) => $"Since your last digest (week {w}): {n} new, {r} resolved, {s} still open.",
        SectionSinceFormat = (w, n, r, s) => $"Since week {w}: {n} new, {r} resolved, {s} still open.",
        NewLabel = "New",
        ResolvedLabel = "Resolved",
        StillOpenLabel = "Still open",
        TeamsHeading = "Your teams",
        TeamsIntro = "Say/do (completed ÷ committed over the last closed sprints) now and before, from the MI history.",
        SayDoFormat = p => $"say/do {p} %",
        SayDoTrendFormat = (p, w, b, a) => $"say/do {p} % ({w} {(w == 1 ? "week" : "weeks")} ago {b} %, {a})",
        SayDoUnknown = "say/do not known yet (no closed sprints with figures)",
        PredictabilityFormat = (i, p) => $"predictability {p} % in {i}",
        PredictabilityTrendFormat = (i, p, pi, pp, a) => $"predictability {p} % in {i} ({pi} {pp} %, {a})",
    };

    public static readonly AdviceText Dutch = new()
    {
        Language = "nl",
        Greeting = "Hallo",
        Intro = "Het prioriteringsadvies van deze week voor je teams, het belangrijkste eerst. Elke regel zegt waarom en linkt naar het item.",
        UnblockHeading = "Deblokkeer andere teams",
        UnblockIntro = "Zet deze hoger: gepland werk van andere teams wacht erop.",
        ProtectHeading = "Bescherm de sprint",
        ProtectIntro = "Deze sprints committeren meer dan de P50-velocity van het team × de beschikbare capaciteit.",
        EpicsHeading = "Epics in gevaar",
        EpicsIntro = "De 85 %-prognose van deze epics ligt na hun streefdatum.",
        HygieneHeading = "Backlog op orde",
        HygieneIntro = "Ruim deze op, zodat planning en prognoses te vertrouwen zijn.",
        ReorderHeading = "Heroverweeg de volgorde",
        ReorderIntro = "Epics en features die lager staan dan items met duidelijk minder waarde (WSJF), de grootste waarde eerst.",
        ReorderFormat = (w, inputs, pos, above, aw, apos) => $"WSJF {N2(w)} ({inputs}) op plaats {pos}, onder {above} op {apos} met WSJF {N2(aw)}.",
        ReorderAction = move => $"Heroverweeg de volgorde ({move}), of corrigeer de waarde-invoer als die niet klopt.",
        InputsFormat = (bv, tc, rr, js) => $"bedrijfswaarde {Opt(bv)}, tijdkritiek {Opt(tc)}, risicoreductie {Opt(rr)}, omvang {Opt(js)}",
        Nothing = "Deze week niets om op te handelen.",
        Why = "Waarom",
        Do = "Doen",
        SeeAlso = "Items",
        FullList = "Volledige lijst",
        Footer = "Verstuurd door Alignment voor het Agile PMO. De cijfers komen uit de laatste analyse van Jira en Azure DevOps.",
        AlertIntro = "Een nieuwe kritieke afhankelijkheid tussen teams raakt je team:",
        SubjectFormat = (week, n) => $"Prioriteringsadvies, week {week}: {n} {(n == 1 ? "suggestie" : "suggesties")}",
        AlertSubjectFormat = key => $"Alignment-waarschuwing: kritieke afhankelijkheid tussen teams ({key})",
        MoreFormat = n => $"en nog {n}",
        WaitsFormat = (teams, items) => $"{teams} {(teams.Contains(',') || teams.Contains(" en ") ? "wachten" : "wacht")} erop: {items}.",
        NeededFromFormat = d => $"nodig vanaf {d}",
        NotPlanned = "Het is in geen enkele sprint gepland.",
        LateFormat = (s, e, d) => $"Het is gepland in {s}, die eindigt op {e}: {d} dagen na het einde van de sprint van het wachtende werk.",
        OverlapFormat = s => $"Het is gepland in {s}, die overlapt met de wachtende sprint: risico.",
        RankFormat = (r, n) => $"Het staat op plaats {r} van {n} in de backlog van het team.",
        UnblockActionFormat = (k, d) => $"Zet {k} hoger en plan het klaar vóór {d}, of spreek met de wachtende teams af wat kan wachten.",
        UnblockActionNoDate = k => $"Zet {k} hoger en plan het vóór het werk dat erop wacht.",
        CycleFormat = t => $"Deze items hangen van elkaar af over {t}.",
        CycleAction = "Spreek af welk item eerst gaat en verwijder of keer een van de afhankelijkheden om.",
        OvercommitFormat = (s, c, e, p, o) => $"{s} committeert {N(c)} punten tegen {N(e)} verwacht (P50-velocity {N(p)} × beschikbare capaciteit): {o.ToString("P0", CultureInfo.InvariantCulture)} te veel.",
        MoveOutFormat = (k, m, r) => $"Haal {k} eruit ({N(m)} punten, de laagst gerangschikte items waar geen ander team op wacht); dan blijft {N(r)} punten over.",
        MoveOutShortFormat = (k, m, r) => $"Haal {k} eruit ({N(m)} punten, de laagst gerangschikte items waar geen ander team op wacht); er blijft {N(r)} punten over, nog te veel: verklein de scope met het team.",
        NothingToMove = "Elk geschat item erin is nodig voor een ander team: verklein de scope met het team en de wachtende teams.",
        EpicFormat = (p85, t, d, p50) => $"De 85 %-prognose {p85} ligt {d} dagen na de streefdatum {t} (50 %: {p50}).",
        DriverFormat = (t, p, o, u) => $"Het laatste deel is van {t}: {N(p)} punten in {o} open items{(u > 0 ? $", {u} ongeschat" : "")}.",
        UpstreamFormat = k => $"Blokkerende items elders: {k}.",
        EpicActionFormat = t => $"Verklein de scope, verschuif de streefdatum, of verhoog de prioriteit bij {t}.",
        UnestimatedSprintFormat = s => $"Gepland in {s} maar niet geschat.",
        UnestimatedTopFormat = n => $"In de top {n} van de backlog maar niet geschat.",
        EstimateAction = k => $"Schat {k} in de volgende refinement.",
        StaleFormat = (d, since) => $"Onderhanden zonder update sinds {d} dagen ({since}).",
        StaleAction = k => $"Ga na of er nog aan {k} gewerkt wordt; werk het bij, splits het of zet het terug.",
        OrphanFormat = t => $"Deze {t} heeft geen bovenliggende epic of feature.",
        OrphanAction = k => $"Koppel {k} aan de epic of feature die het oplevert, of vraag je af of het nodig is.",
        OwnTeam = "je eigen team",
        And = "en",
        FirstDigest = "Dit is je eerste advies: alles erin is nieuw.",
        SinceFormat = (w, n, r, s) => $"Sinds je vorige advies (week {w}): {n} nieuw, {r} opgelost, {s} nog open.",
        SectionSinceFormat = (w, n, r, s) => $"Sinds week {w}: {n} nieuw, {r} opgelost, {s} nog open.",
        NewLabel = "Nieuw",
        ResolvedLabel = "Opgelost",
        StillOpenLabel = "Nog open",
        TeamsHeading = "Je teams",
        TeamsIntro = "Say/do (afgerond ÷ gecommitteerd over de laatste afgesloten sprints) nu en eerder, uit de MI-historie.",
        SayDoFormat = p => $"say/do {p} %",
        SayDoTrendFormat = (p, w, b, a) => $"say/do {p} % ({w} {(w == 1 ? "week" : "weken")} geleden {b} %, {a})",
        SayDoUnknown = "say/do nog niet bekend (geen afgesloten sprints met cijfers)",
        PredictabilityFormat = (i, p) => $"voorspelbaarheid {p} % in {i}",
        PredictabilityTrendFormat = (i, p, pi, pp, a) => $"voorspelbaarheid {p} % in {i} ({pi} {pp} %, {a})",
    };
}
