using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Evaluation;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd evaluate --gold GOLD.json --pred PRED.json`: the CCL25-Eval Task 8 metrics as one JSON object.</summary>
public sealed class EvaluateCommand : ICliCommand
{
    public Command Build()
    {
        var gold = new Option<string>("--gold")
        {
            Description = "Gold CCL25 JSON with labels (病案标识, 主要诊断编码, 其他诊断编码; raw, entity or labels-only schema — other fields are ignored).",
            Required = true,
        };
        var pred = new Option<string>("--pred")
        {
            Description = "Predictions in the submission format [{\"病案标识\": id, \"预测结果\": \"[PRIMARY|OTHER1;OTHER2]\"}].",
            Required = true,
        };
        var codes = new Option<string?>("--codes")
        {
            Description = "Code table (DCCNCE TSV) every gold and predicted code must be in (exact case). Default: DATA/codes/dccnce-2.0.tsv when present; 'none' checks the form only.",
        };
        var data = CommonOptions.Data();
        var seed = CommonOptions.Seed();
        var resamples = new Option<int>("--resamples")
        {
            Description = "Bootstrap resamples for the 95% CIs.",
            DefaultValueFactory = _ => Bootstrap.DefaultResamples,
        };
        var command = new Command("evaluate",
            "Score predictions against gold labels and print one JSON object.\n" +
            "Fields: n, missing, primary_accuracy, other_precision, other_recall, " +
            "other_f1 (per-record set P/R/F1 of the other codes, averaged over gold records), acc_f1 = mean(0.5·I(primary) + 0.5·F1) " +
            "(system paper Eq. 4), acc_recall = mean(0.5·I(primary) + 0.5·|G∩P|/|G|) (organisers' formula), other_micro_f1, " +
            "other_macro_f1 (per-code F1 averaged over the codes in the gold other-code sets), acc_f1_ci95 and primary_accuracy_ci95 " +
            "(seeded percentile bootstrap over records). Conventions: other codes are compared as sets; both sets empty → P=R=F1=1, " +
            "otherwise a zero denominator gives 0; a gold record missing from PRED scores 0 and counts in 'missing'. " +
            "Errors (exit code 2): an id in PRED that is not in GOLD, a duplicate id, a malformed prediction string (e.g. [P|A,B]), " +
            "a code not in the code table or in the wrong case, invalid UTF-8.\n" +
            "Example: icd evaluate --gold ../shared/data/ccl25/train-labels.json --pred results/predictions/system_a.json")
        { gold, pred, codes, data, seed, resamples.Range(1) };
        command.SetAction(parse =>
        {
            var goldPath = parse.GetValue(gold)!;
            var predPath = parse.GetValue(pred)!;
            var table = CodeTableFor(parse.GetValue(codes), parse.GetValue(data));
            if (table is null) Console.Error.WriteLine("note: no code table (--codes or DATA/codes/dccnce-2.0.tsv): codes are checked for their form only");
            var report = Ccl25Metrics.Evaluate(Ccl25LabelsFile.Load(goldPath, table), SubmissionFormat.Read(predPath, table),
                parse.GetValue(seed), parse.GetValue(resamples), predPath, goldPath);
            Console.WriteLine(report.ToJson());
            return 0;
        });
        return command;
    }

    /// <summary>--codes FILE, 'none', or the data folder's code table when it has one.</summary>
    static CodeTable? CodeTableFor(string? codes, string? dataDir)
    {
        if (codes == "none") return null;
        if (codes is not null) return CodeTable.Load(codes);
        var inData = Path.Combine(DataDirectory.Resolve(dataDir), "codes", "dccnce-2.0.tsv");
        return File.Exists(inData) ? CodeTable.Load(inData) : null;
    }
}
