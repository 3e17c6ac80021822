namespace IcdResearch.Retrieval;

/// <summary>A sparse vector: strictly increasing feature indices with their values.</summary>
public sealed record SparseVector(int[] Indices, float[] Values)
{
    public static readonly SparseVector Empty = new([], []);

    public int Count => Indices.Length;

    public double Norm()
    {
        double sum = 0;
        foreach (var v in Values) sum += (double)v * v;
        return Math.Sqrt(sum);
    }

    /// <summary>Dot product by merging the two sorted index lists.</summary>
    public double Dot(SparseVector other)
    {
        double sum = 0;
        int i = 0, j = 0;
        while (i < Indices.Length && j < other.Indices.Length)
        {
            var (a, b) = (Indices[i], other.Indices[j]);
            if (a == b) sum += (double)Values[i++] * other.Values[j++];
            else if (a < b) i++;
            else j++;
        }
        return sum;
    }

    /// <summary>This vector scaled to unit L2 norm (the zero vector stays zero).</summary>
    public SparseVector Normalized()
    {
        var norm = Norm();
        return norm == 0 ? this : new SparseVector(Indices, Values.Select(v => (float)(v / norm)).ToArray());
    }
}
