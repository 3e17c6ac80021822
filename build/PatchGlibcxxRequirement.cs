// MSBuild inline task (see TorchSharpGlibcxxPatch.targets): rewrites the GLIBCXX_3.4.32 version-requirement
// entry of libLibTorchSharp.so copies in the build output so the library loads on libstdc++ < 3.4.32.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchGlibcxxRequirement : Task
{
    [Required] public string Directory { get; set; }

    const string Wanted = "GLIBCXX_3.4.32";
    static readonly string[] LibDirs = { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" };

    public override bool Execute()
    {
        if (string.IsNullOrEmpty(Directory) || !System.IO.Directory.Exists(Directory)) return true;
        var targets = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (targets.Length == 0) return true;

        var systemLib = LibDirs.Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        if (systemLib == null)
        {
            Log.LogMessage(MessageImportance.High, "IcdResearch: no system libstdc++.so.6 found; libLibTorchSharp.so left unchanged.");
            return true;
        }
        var systemVersions = GlibcxxVersions(File.ReadAllBytes(systemLib));
        if (systemVersions.Contains(Wanted)) return true; // new enough: leave the library alone.

        foreach (var path in targets)
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                var replacement = Patch(bytes, systemVersions);
                if (replacement == null) continue;
                File.WriteAllBytes(path, bytes);
                Log.LogMessage(MessageImportance.High, $"IcdResearch: {path}: version requirement {Wanted} -> {replacement} (system libstdc++ lacks {Wanted}).");
            }
            catch (Exception e)
            {
                Log.LogWarning($"IcdResearch: could not patch {path}: {e.Message}");
            }
        }
        return true;
    }

    static HashSet<string> GlibcxxVersions(byte[] image)
    {
        var text = Encoding.ASCII.GetString(image);
        var set = new HashSet<string>();
        int i = 0;
        while ((i = text.IndexOf("GLIBCXX_3.4", i, StringComparison.Ordinal)) >= 0)
        {
            int end = i;
            while (end < text.Length && text[end] != '\0') end++;
            set.Add(text.Substring(i, end - i));
            i = end;
        }
        return set;
    }

    static int Minor(string v) => v.Length > "GLIBCXX_3.4.".Length && int.TryParse(v.Substring("GLIBCXX_3.4.".Length), out var n) ? n : 0;

    static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + (byte)c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    /// <summary>Returns the replacement version written, or null when the file needs no change.</summary>
    static string Patch(byte[] b, HashSet<string> systemVersions)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != 0x6ffffffe) continue; // SHT_GNU_verneed
            long off = BitConverter.ToInt64(b, (int)sh + 24);
            int link = BitConverter.ToInt32(b, (int)sh + 40), count = BitConverter.ToInt32(b, (int)sh + 44);
            long strOff = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 24);
            long strSize = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 32);

            string Str(long o) { int e = (int)(strOff + o); int z = e; while (b[z] != 0) z++; return Encoding.ASCII.GetString(b, e, z - e); }
            // Candidate replacement: newest GLIBCXX_3.4.x present both in this file's string table and in the system.
            var table = Encoding.ASCII.GetString(b, (int)strOff, (int)strSize).Split('\0');
            long pos = 0; var offsets = new Dictionary<string, long>();
            foreach (var t in table) { if (!offsets.ContainsKey(t)) offsets[t] = pos; pos += t.Length + 1; }
            var best = offsets.Keys.Where(k => k.StartsWith("GLIBCXX_3.4", StringComparison.Ordinal) && k != Wanted && systemVersions.Contains(k) && Minor(k) < Minor(Wanted))
                                   .OrderByDescending(Minor).FirstOrDefault();

            long vn = off; string written = null;
            for (int n = 0; n < count; n++)
            {
                int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    if (Str(BitConverter.ToUInt32(b, (int)aux + 8)) == Wanted)
                    {
                        if (best == null) throw new InvalidDataException("no older GLIBCXX version shared with the system library");
                        BitConverter.GetBytes(ElfHash(best)).CopyTo(b, (int)aux);
                        BitConverter.GetBytes((uint)offsets[best]).CopyTo(b, (int)aux + 8);
                        written = best;
                    }
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(b, (int)vn + 12);
            }
            return written;
        }
        return null;
    }
}
