using System.Globalization;

namespace IcdResearch.IO;

/// <summary>
/// Collects every out-of-range setting of an options record and throws one <see cref="ArgumentException"/> listing
/// them, each with its value and the allowed range ("learning rate NaN: must be a finite number in (0, 10]").
/// NaN and ±∞ are never in range.
/// </summary>
public sealed class OptionCheck
{
    readonly List<string> _problems = [];

    public void Int(string name, long value, long min, long max = long.MaxValue)
    {
        if (value < min || value > max)
            _problems.Add($"{name} {value}: must be {(max == long.MaxValue ? $"at least {min}" : $"from {min} to {max}")}");
    }

    public void Real(string name, double value, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        var ok = double.IsFinite(value) && (minExclusive ? value > min : value >= min) && (maxExclusive ? value < max : value <= max);
        if (!ok)
            _problems.Add($"{name} {value.ToString(CultureInfo.InvariantCulture)}: must be a finite number in " +
                          $"{(minExclusive ? "(" : "[")}{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}{(maxExclusive ? ")" : "]")}");
    }

    public void Require(bool condition, string problem)
    {
        if (!condition) _problems.Add(problem);
    }

    public void ThrowIfAny()
    {
        if (_problems.Count > 0) throw new ArgumentException(string.Join("; ", _problems));
    }
}
