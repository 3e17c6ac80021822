using System.CommandLine;
using IcdResearch.Data;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd split`: the deterministic, stratified train/dev/test + k-fold split of the labelled records.</summary>
public sealed class SplitCommand : ICliCommand
{
    public Command Build()
    {
        var data = CommonOptions.Data();
        var seed = CommonOptions.Seed();
        var output = CommonOptions.Out($"Where to write the split (JSON listing the ids of each part). The committed split is {Splits.DefaultPath}.", required: false);
        output.DefaultValueFactory = _ => Splits.DefaultPath;
        var test = new Option<int?>("--test") { Description = "Test records, drawn from the raw records (default: 30% of them — 48 of 160)." }.Range(0);
        var dev = new Option<int?>("--dev") { Description = "Dev records, drawn from the raw records (default: 10% — 16 of 160)." }.Range(0);
        var folds = new Option<int>("--folds") { Description = "Stratified folds over train+dev for cross-validated tuning (0 = none).", DefaultValueFactory = _ => 5 }.Range(0);
        var command = new Command("split",
            "Write the seeded train/dev/test split of the labelled CCL25 records.\n" +
            "Stratified by primary code: test and dev from the raw records (full text), the other raw records as train, " +
            "entity-view-only labelled records as train_entities, and k folds over train+dev. Every experiment loads this " +
            "file, so all numbers use the same records.\n" +
            "Example: icd split --data ../shared/data --out data/splits/ccl25-seed42.json") { data, seed, output, test, dev, folds };
        CommonOptions.Output(command, output, folder: false);
        command.SetAction(parse =>
        {
            var dataset = Ccl25Dataset.Load(parse.GetValue(data));
            var split = Splits.Create(dataset, parse.GetValue(seed), parse.GetValue(test), parse.GetValue(dev), parse.GetValue(folds));
            split.Validate(dataset);
            var path = parse.GetValue(output)!;
            Splits.Save(path, split);
            Console.WriteLine($"wrote {path}: test {split.Test.Count}, dev {split.Dev.Count}, train {split.Train.Count} (raw), " +
                              $"train_entities {split.TrainEntities.Count}, {split.Folds.Count} folds of {string.Join("/", split.Folds.Select(f => f.Count))}");
            foreach (var (code, n) in split.Test.GroupBy(id => dataset.LabelsById[id].PrimaryCode).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())))
                Console.WriteLine($"  test {code}: {n}");
            return 0;
        });
        return command;
    }
}
