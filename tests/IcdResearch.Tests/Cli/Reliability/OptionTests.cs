namespace IcdResearch.Tests.Reliability;

/// <summary>
/// Issue 12, class "options": every numeric option is checked when the command line is read — finite, in range — and
/// the message names the option, the value and the allowed range; nothing runs and nothing is written.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class OptionTests : IDisposable
{
    readonly string _dir = TempFile.Dir();
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    [Theory]
    [InlineData("pretrain --size tiny --lr NaN", "--lr NaN", "finite number in (0, 10]")]
    [InlineData("pretrain --size tiny --lr -1", "--lr -1", "finite number in (0, 10]")]
    [InlineData("pretrain --size tiny --context 1", "--context 1", "from 2 to")]
    [InlineData("pretrain --size tiny --steps 0", "--steps 0", "at least 1")]
    [InlineData("finetune --model m --train t.json --lr NaN", "--lr NaN", "finite number in (0, 10]")]
    [InlineData("finetune --model m --train t.json --lr Infinity", "--lr Infinity", "finite number")]
    [InlineData("finetune --model m --train t.json --lora-dropout 1", "--lora-dropout 1", "[0, 1)")]
    [InlineData("finetune --model m --train t.json --warmup-ratio 1.5", "--warmup-ratio 1.5", "[0, 1]")]
    [InlineData("finetune --model m --train t.json --epochs 0", "--epochs 0", "at least 1")]
    [InlineData("generate --model m --prompt x --top-p 0", "--top-p 0", "(0, 1]")]
    [InlineData("generate --model m --prompt x --temperature NaN", "--temperature NaN", "[0, 100]")]
    [InlineData("predict --models m --input i.json --batch 0", "--batch 0", "at least 1")]
    [InlineData("evaluate --gold g.json --pred p.json --resamples 0", "--resamples 0", "at least 1")]
    [InlineData("ccl --epochs 0 --pairs-only", "--epochs 0", "at least 1")]
    public void OutOfRangeOptionsAreRejectedUpFrontWithTheRange(string command, string option, string range)
    {
        var outPath = Path.Combine(_dir, "out");
        var args = command.Split(' ').ToList();
        if (args[0] is "pretrain" or "finetune") args.AddRange(["--out", outPath]);
        if (args[0] is "predict") args.AddRange(["--out", outPath + ".json"]);
        if (args[0] is "ccl") args.AddRange(["--out", outPath, "--runs", outPath + "-runs"]);
        var before = FolderState.Of(_dir);
        Cli.Run([.. args]).Fails(2, option, range);
        before.AssertSame(_dir);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
