using Cloudbill.Server.Cli;
using Cloudbill.Server.Hosting;

// One executable: operator verbs (`cloudbill migrate`, `cloudbill --help`) or, with no verb, the server.
if (CliApp.IsMistypedVerb(args))
    return CliApp.ReportMistypedVerb(args[0], Console.Error);
return CliApp.IsCommand(args)
    ? await CliApp.Run(args)
    : await ServerHost.Run(args);

/// <summary>The entry point, visible to the tests.</summary>
public partial class Program;
