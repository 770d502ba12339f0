using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Metrics;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Metrics;

/// <summary>Shared data and plumbing of the metric tests: random batches, feeding a metric batch by batch, the oracle runs.</summary>
internal static class MetricOracle
{
    /// <summary>Rows of scores in [0, 1] that include exact 0, 1 and threshold values, labels correlated with them, weights.</summary>
    public static (float[] yTrue, float[] yPred, float[] weights) Scores(int seed, int rows, int cols)
    {
        var rng = new Random(seed);
        var yt = new float[rows * cols]; var yp = new float[rows * cols]; var w = new float[rows];
        for (int i = 0; i < yt.Length; i++)
        {
            double s = rng.NextDouble();
            yp[i] = (i % 17) switch
            {
                0 => 0f,
                1 => 1f,
                2 => 0.5f,
                3 => (float)(rng.Next(1, 199) / 199.0), // on an AUC threshold: counted below it (pred > t)
                _ => (float)s,
            };
            yt[i] = rng.NextDouble() < 0.25 + 0.5 * yp[i] ? 1 : 0;
        }
        for (int r = 0; r < rows; r++) w[r] = (float)(0.25 + 1.5 * rng.NextDouble());
        return (yt, yp, w);
    }

    /// <summary>Feeds a metric in uneven batches (so the state must accumulate across calls), with or without weights.</summary>
    public static void Feed(Metric m, float[] yTrue, float[] yPred, float[]? weights, int cols, params int[] batchRows)
    {
        int at = 0;
        foreach (int n in batchRows)
        {
            var t = new Tensor(yTrue.AsSpan(at * cols, n * cols).ToArray(), n, cols);
            var p = new Tensor(yPred.AsSpan(at * cols, n * cols).ToArray(), n, cols);
            var w = weights is null ? null : new Tensor(weights.AsSpan(at, n).ToArray(), n);
            m.UpdateState(t, p, w);
            at += n;
        }
        Assert.Equal(yPred.Length / cols, at);
    }

    public static JsonArray Array(IEnumerable<float> v) => new(v.Select(x => (JsonNode?)(double)x).ToArray());

    /// <summary>Runs an oracle script on cases written to a temporary file and parses its JSON answer.</summary>
    public static JsonArray Run(string script, JsonArray cases, params string[] modules)
    {
        Oracle.RequirePython(modules);
        var path = Path.Combine(Oracle.TempDir(), "cases.json");
        File.WriteAllText(path, cases.ToJsonString());
        return JsonNode.Parse(Oracle.RunPythonScript(script, path))!.AsArray();
    }
}
