using System.CommandLine;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Modeling;
using TorchSharp;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd info`: what this installation sees — data folder, datasets present, libtorch version and threads.</summary>
public sealed class InfoCommand : ICliCommand
{
    public Command Build()
    {
        var data = CommonOptions.Data();
        var command = new Command("info", "Show the resolved data folder, which datasets it holds, and the TorchSharp/libtorch runtime in use.") { data };
        command.SetAction(parse =>
        {
            var dir = DataDirectory.Resolve(parse.GetValue(data));
            TorchRuntime.EnsureLoaded();
            var info = new
            {
                data_dir = dir,
                ccl25 = DataDirectory.HasCcl25(dir),
                torch_threads = torch.get_num_threads(),
                libtorch_matmul_check = torch.ones(2, 2).matmul(torch.ones(2, 2)).sum().item<float>(),
            };
            Console.WriteLine(JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }
}
