using System.CommandLine;
using IcdResearch.Modeling;
using IcdResearch.Tuning;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd qlora-report`: NF4 storage cost (bytes per base parameter) and reconstruction error of a model's projections.</summary>
public sealed class QloraReportCommand : ICliCommand
{
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "HF model folder (config.json + safetensors) whose q/k/v/o/gate/up/down projections are quantised.", Required = true };
        var command = new Command("qlora-report",
            "Report NF4 memory and error of a model's linear projections, as QLoRA would quantise them.\n" +
            "Blocks of 64, absmax scales double-quantised to 8 bits in blocks of 256; prints bytes per base parameter (incl. " +
            "all scales) and the relative reconstruction error.\n" +
            "Example: icd qlora-report --model models/default/backbone") { model };
        command.SetAction(parse =>
        {
            var lm = CausalLM.FromPretrained(parse.GetValue(model)!);
            Console.WriteLine(Nf4Report.Measure(lm));
            return 0;
        });
        return command;
    }
}
