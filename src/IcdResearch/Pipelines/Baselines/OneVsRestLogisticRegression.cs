using IcdResearch.Retrieval;

namespace IcdResearch.Pipelines.Baselines;

/// <summary>
/// One binary logistic regression per class over sparse features, trained jointly by full-batch Nesterov-accelerated
/// gradient descent on the mean log-loss + (λ/2)‖w‖² (biases unregularised, started at the log prior odds).
/// With L2-normalised inputs the loss is (¼ + λ)-smooth, so the step 1/(¼ + λ) is safe. Deterministic.
/// </summary>
public sealed class OneVsRestLogisticRegression(double l2 = 1e-4, int iterations = 200)
{
    float[] _w = [];   // [feature * classes + class]
    float[] _b = [];
    int _classes;

    public int Classes => _classes;

    /// <param name="x">L2-normalised feature vectors.</param>
    /// <param name="y">y[i][c]: record i is in class c.</param>
    /// <param name="features">Feature space size (vectorizer vocabulary).</param>
    public OneVsRestLogisticRegression Fit(IReadOnlyList<SparseVector> x, IReadOnlyList<bool[]> y, int features)
    {
        var n = x.Count;
        if (n == 0 || y.Count != n) throw new ArgumentException("logistic regression needs one label row per record");
        _classes = y[0].Length;
        var c = _classes;
        _w = new float[features * c];
        var previous = new float[features * c];
        var look = new float[features * c];
        var gradient = new float[features * c];
        _b = new float[c];
        for (var k = 0; k < c; k++)
        {
            var prior = (y.Count(row => row[k]) + 0.5) / (n + 1.0);
            _b[k] = (float)Math.Log(prior / (1 - prior));
        }
        var step = (float)(1.0 / (0.25 + l2));
        var scores = new double[c];
        var gb = new double[c];
        for (var t = 1; t <= iterations; t++)
        {
            // Look-ahead point (Nesterov): look = w + (t−1)/(t+2)·(w − previous).
            var momentum = (float)((t - 1.0) / (t + 2.0));
            for (var i = 0; i < _w.Length; i++) look[i] = _w[i] + momentum * (_w[i] - previous[i]);
            Array.Clear(gradient);
            Array.Clear(gb);
            for (var r = 0; r < n; r++)
            {
                var v = x[r];
                for (var k = 0; k < c; k++) scores[k] = _b[k];
                for (var j = 0; j < v.Indices.Length; j++)
                {
                    var offset = v.Indices[j] * c;
                    var value = v.Values[j];
                    for (var k = 0; k < c; k++) scores[k] += value * look[offset + k];
                }
                for (var k = 0; k < c; k++) scores[k] = Sigmoid(scores[k]) - (y[r][k] ? 1 : 0);
                for (var j = 0; j < v.Indices.Length; j++)
                {
                    var offset = v.Indices[j] * c;
                    var value = v.Values[j];
                    for (var k = 0; k < c; k++) gradient[offset + k] += (float)(value * scores[k]);
                }
                for (var k = 0; k < c; k++) gb[k] += scores[k];
            }
            (previous, _w) = (_w, previous);
            for (var i = 0; i < look.Length; i++) _w[i] = look[i] - step * (gradient[i] / n + (float)l2 * look[i]);
            for (var k = 0; k < c; k++) _b[k] -= (float)(0.5 * step * gb[k] / n);
        }
        return this;
    }

    /// <summary>P(class c | x) for every class.</summary>
    public double[] Probabilities(SparseVector x)
    {
        var scores = _b.Select(b => (double)b).ToArray();
        for (var j = 0; j < x.Indices.Length; j++)
        {
            var offset = x.Indices[j] * _classes;
            if (offset + _classes > _w.Length) continue; // feature unseen at training time
            for (var k = 0; k < _classes; k++) scores[k] += x.Values[j] * _w[offset + k];
        }
        return scores.Select(Sigmoid).ToArray();
    }

    static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
