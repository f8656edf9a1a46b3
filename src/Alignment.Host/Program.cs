using Alignment.Host.Cli;

return await Verbs.RunAsync(args);
