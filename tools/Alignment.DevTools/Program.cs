using System.CommandLine;
using Alignment.DevTools.Cli;
using Alignment.Host.Cli;

// `alignment-dev`: the developer tools around the product (docs/architecture.md, "Tools"): a simulated organisation,
// the demo on it, and the benchmark. They share the product's code but never ship in the service image.
var root = new RootCommand("Alignment developer tools: simulator, demo and benchmark (not part of the service)");
root.Options.Add(Verbs.Config);
root.Subcommands.Add(SimulateVerb.Create());
root.Subcommands.Add(DemoVerb.Create());
root.Subcommands.Add(BenchVerb.Create());
return await root.Parse(args).InvokeAsync();
