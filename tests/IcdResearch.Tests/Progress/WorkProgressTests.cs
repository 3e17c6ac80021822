using IcdResearch.Progress;

namespace IcdResearch.Tests;

public class WorkProgressTests
{
    [Fact]
    public async Task WriteLinesToRedirectsOnlyItsOwnFlowAndIsUndoneOnDispose()
    {
        var redirected = new StringWriter();
        var other = new StringWriter();
        using (WorkProgress.WriteLinesTo(redirected))
        {
            WorkProgress.Run("bench decoding", 2, "sections", p => { p.Advance(); p.Advance(); }, plainInterval: TimeSpan.Zero);
            // A child flow that chooses its own writer changes neither the outer flow's writer nor sees the outer lines.
            await Task.Run(() =>
            {
                using var _ = WorkProgress.WriteLinesTo(other);
                WorkProgress.Run("other flow", 1, "steps", p => p.Advance(), plainInterval: TimeSpan.Zero);
            });
        }
        var lines = redirected.ToString();
        Assert.Contains("bench decoding: 2/2 sections", lines);
        Assert.DoesNotContain("other flow", lines);
        Assert.Contains("other flow: 1/1 steps", other.ToString());

        // After dispose, an explicit writer is again the only way a test sees lines; the redirect is gone.
        var after = new StringWriter();
        WorkProgress.Run("after", 1, "steps", p => p.Advance(), plainOutput: after, plainInterval: TimeSpan.Zero);
        Assert.DoesNotContain("after", redirected.ToString());
        Assert.Contains("after: 1/1 steps", after.ToString());
    }
}
