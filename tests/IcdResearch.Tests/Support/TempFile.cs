namespace IcdResearch.Tests;

/// <summary>Temporary files for tests (under the system temp folder, unique names).</summary>
internal static class TempFile
{
    public static string Path(string extension = ".json") =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"icd-test-{Guid.NewGuid():N}{extension}");

    public static string Write(string content, string extension = ".json")
    {
        var path = Path(extension);
        File.WriteAllText(path, content);
        return path;
    }

    public static string Dir()
    {
        var dir = Path("");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
