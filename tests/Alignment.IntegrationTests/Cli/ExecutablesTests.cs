using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Cli;

/// <summary>The service executable carries the service only; the simulator, demo and benchmark live in <c>alignment-dev</c>.</summary>
public sealed class ExecutablesTests
{
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none";

    [Fact]
    public async Task The_service_executable_has_no_simulator_demo_or_benchmark()
    {
        var (code, output) = await AlignmentProcess.RunAsync(NoDatabase, "--help");

        Assert.Equal(0, code);
        foreach (var verb in new[] { "serve", "worker", "migrate", "sync", "analyze", "advice" }) Assert.Contains($"  {verb} ", output);
        foreach (var verb in new[] { "simulate", "demo", "bench" }) Assert.DoesNotContain($"  {verb} ", output);
    }

    [Theory]
    [InlineData("bench", "alignment-dev bench")]
    [InlineData("demo", "alignment-dev demo")]
    [InlineData("synk", "unknown command 'synk'")]
    public async Task A_word_that_is_no_verb_is_refused_instead_of_starting_the_server(string verb, string expected)
    {
        var (code, output) = await AlignmentProcess.RunAsync(NoDatabase, verb, "--teams", "4");

        Assert.Equal(2, code);
        Assert.Contains(expected, output);
    }

    [Fact]
    public async Task The_developer_tools_have_simulate_demo_and_bench()
    {
        var (code, output) = await AlignmentProcess.RunDevAsync(NoDatabase, "--help");

        Assert.Equal(0, code);
        foreach (var verb in new[] { "simulate", "demo", "bench" }) Assert.Contains($"  {verb} ", output);
    }

    [Fact]
    public void The_service_project_does_not_reference_the_tools()
    {
        // The image builds src/Alignment.Host; its dependency closure must not reach tools/ (the simulator and the benchmark).
        var deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "alignment.deps.json"));
        Assert.DoesNotContain("Alignment.Simulator", deps);
        Assert.DoesNotContain("alignment-dev", deps);
        Assert.Contains("Alignment.Application", deps);
    }
}
