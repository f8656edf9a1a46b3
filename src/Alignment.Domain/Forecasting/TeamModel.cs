namespace Alignment.Domain.Forecasting;

public static partial class EpicForecaster
{
    internal sealed class TeamModel
    {
        public required double[] Samples { get; init; }
        public required double LengthDays { get; init; }
        public required double AssumedPoints { get; init; }
        public string? NoForecastReason { get; init; }
        /// <summary>
        /// Cumulative throughput per sprint and trial, sprint-major: [k * Trials + t] = points trial t has done after k + 1 sprints. One row per
        /// sprint, so that pricing a part compares a whole row of trials at once (<see cref="Price"/>).
        /// </summary>
        public float[] Cumulative { get; init; } = [];
        public int Max { get; init; }
        public int Trials { get; init; }
        public int FirstEndDay { get; init; }
        /// <summary>[k] = the finish day of a trial that needs k sprints after the first (monotone in k); [Max] = int.MaxValue (never).</summary>
        public int[] Days { get; init; } = [];

        /// <summary>The finish day of a trial that needs <paramref name="k"/> sprints (monotone in k); int.MaxValue for Max (never).</summary>
        public int DayOf(int k) => Days[Math.Min(k, Max)];

        /// <summary>
        /// Prices a part of <paramref name="remaining"/> points: <paramref name="needed"/>[t] = the sprints after the first trial t needs
        /// (0 … Max − 1, or Max when it never finishes within Max), and the returned p50 and p85 of that number by nearest rank. A trial needs
        /// k sprints when k of its cumulative sums are below <paramref name="remaining"/> (they never decrease), so each sprint's row is
        /// compared with the remaining points for all trials at once, and the rows stop where no trial is still short.
        /// </summary>
        public (int P50, int P85) Price(double remaining, int[] needed)
        {
            Array.Clear(needed, 0, Trials);
            if (remaining <= 0) return (0, 0);
            // The smallest float at or above the remaining points: for every float c, c < remaining exactly when c < threshold.
            var threshold = (float)remaining;
            if (threshold < remaining) threshold = MathF.BitIncrement(threshold);
            var below = new int[Max]; // [k] = trials whose cumulative after k + 1 sprints is short of the remaining points
            for (var k = 0; k < Max; k++)
            {
                below[k] = CountShort(Cumulative.AsSpan(k * Trials, Trials), threshold, needed.AsSpan(0, Trials));
                if (below[k] == 0) break;
            }
            return (PercentileOf(below, 0.5), PercentileOf(below, 0.85));
        }

        /// <summary>Adds 1 to needed[t] for each trial whose cumulative in <paramref name="row"/> is below the threshold; returns how many.</summary>
        private static int CountShort(ReadOnlySpan<float> row, float threshold, Span<int> needed)
        {
            var width = System.Numerics.Vector<float>.Count;
            var limit = new System.Numerics.Vector<float>(threshold);
            var counted = System.Numerics.Vector<int>.Zero;
            var t = 0;
            for (; t <= row.Length - width; t += width)
            {
                var shortOf = System.Numerics.Vector.LessThan(new System.Numerics.Vector<float>(row[t..]), limit); // −1 where short
                (new System.Numerics.Vector<int>(needed[t..]) - shortOf).CopyTo(needed[t..]);
                counted -= shortOf;
            }
            var total = System.Numerics.Vector.Sum(counted);
            for (; t < row.Length; t++)
                if (row[t] < threshold) { needed[t]++; total++; }
            return total;
        }

        /// <summary>
        /// The sprints needed at nearest rank <paramref name="p"/> (<see cref="Stats.NearestRankIndex"/>): the smallest k that more trials
        /// than the rank finish within, i.e. Trials − below[k] > rank; Max when the rank falls among the trials that never finish.
        /// </summary>
        private int PercentileOf(int[] below, double p)
        {
            var rank = Stats.NearestRankIndex(Trials, p);
            for (var k = 0; k < Max; k++)
                if (Trials - below[k] > rank) return k;
            return Max;
        }

        /// <summary>What a team's model is made of; equal inputs give an equal model (the memo's test).</summary>
        public required Inputs Of { get; init; }

        public sealed record Inputs(double[] Samples, double LengthDays, double AssumedPoints, string? NoForecastReason, int FirstEndDay)
        {
            public bool Equals(Inputs? o) => o is not null && Samples.AsSpan().SequenceEqual(o.Samples) && LengthDays.Equals(o.LengthDays)
                && AssumedPoints.Equals(o.AssumedPoints) && NoForecastReason == o.NoForecastReason && FirstEndDay == o.FirstEndDay;
            public override int GetHashCode() => HashCode.Combine(Samples.Length, LengthDays, AssumedPoints, NoForecastReason, FirstEndDay);
        }

        public static Inputs InputsOf(SnapshotIndex x, string team)
        {
            var o = x.Options;
            var v = x.Velocity[team];
            var samples = v.Sprints.Select(f => f.Completed).ToArray();
            var length = x.SprintLengthDays[team];
            var estimated = x.ItemsOf(team).Where(i => i.Points is > 0 && i.Type is not (WorkItemType.Epic or WorkItemType.Feature)).Select(i => i.Points!.Value).ToList();
            var assumed = Stats.Percentile(estimated, 0.5) ?? 1;
            string? reason = null;
            if (samples.Length < o.MinHistorySprints)
                reason = $"{x.TeamName(team)} has {samples.Length} closed sprint(s) with figures; a forecast needs {o.MinHistorySprints}";
            else if (samples.All(s => s <= 0))
                reason = $"{x.TeamName(team)} completed no points in its last {samples.Length} sprints";
            var firstEnd = (x.Active[team] ?? x.Next[team])?.LastDay ?? x.Today.AddDays((int)length);
            if (firstEnd < x.Today) firstEnd = x.Today;
            return new Inputs(samples, length, assumed, reason, firstEnd.DayNumber);
        }

        public static TeamModel Build(Inputs inputs, string team, int seed, int trials, int max)
        {
            if (inputs.NoForecastReason is not null)
                return new TeamModel
                {
                    Of = inputs, Samples = inputs.Samples, LengthDays = inputs.LengthDays, AssumedPoints = inputs.AssumedPoints,
                    NoForecastReason = inputs.NoForecastReason,
                };
            var samples = inputs.Samples;
            var rng = new Random(seed ^ StableHash(team));
            var cumulative = new float[trials * max];
            for (var t = 0; t < trials; t++) // the draws in the same order as ever (trial by trial), so seeded forecasts do not move
            {
                double acc = 0;
                for (var k = 0; k < max; k++)
                {
                    acc += samples[rng.Next(samples.Length)];
                    cumulative[k * trials + t] = (float)acc;
                }
            }
            var days = new int[max + 1];
            for (var k = 0; k < max; k++) days[k] = inputs.FirstEndDay + (int)Math.Round(k * inputs.LengthDays);
            days[max] = int.MaxValue;
            return new TeamModel
            {
                Of = inputs, Samples = samples, LengthDays = inputs.LengthDays, AssumedPoints = inputs.AssumedPoints, Cumulative = cumulative, Max = max,
                Trials = trials, FirstEndDay = inputs.FirstEndDay, Days = days,
            };
        }
    }
}
