using System.CommandLine;

namespace IcdResearch.Cli.Commands;

/// <summary>One `icd` sub-command. Implementations are discovered by reflection (one file per command).</summary>
public interface ICliCommand
{
    Command Build();
}
