using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Runs cases through Oracles/acts_torch.py (PyTorch, float64) and KerasNet, and compares outputs and gradients.
/// A case is a layer, its input, the upstream gradient r (L = sum(y * r)) and the oracle's spec; its weights are sent
/// under the names the spec's kind reads (w, b for Dense; alpha for PReLU).
/// </summary>
internal static class ActsOracle
{
    public sealed record Case(string Label, Layer Layer, Tensor X, Tensor R, JsonObject Spec);

    public sealed record Result(float[] Y, float[] Dx, Dictionary<string, float[]> Dw);

    /// <summary>KerasNet's forward output, input gradient and weight gradients (by oracle name) for one case.</summary>
    public static Result Run(Case c)
    {
        var ctx = new CallContext();
        var y = c.Layer.Call(ctx, c.X, training: true).ToArray();
        var dx = c.Layer.Backward(ctx, c.R.Clone(), needInputGrad: true)!.ToArray();
        var dw = c.Layer.Weights.ToDictionary(w => OracleName(w.Name), w => w.Grad.ToArray());
        return new Result(y, dx, dw);
    }

    private static string OracleName(string weight) => weight switch { "kernel" => "w", "bias" => "b", _ => weight };

    /// <summary>The oracle's results, in case order.</summary>
    public static List<Result> Torch(IReadOnlyList<Case> cases)
    {
        Oracle.RequirePython("torch", "numpy");
        var dir = Oracle.TempDir();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), c.X);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), c.R);
            foreach (var w in c.Layer.Weights) Npy.Save(Path.Combine(dir, $"{i}_{OracleName(w.Name)}.npy"), w.Value);
            specs.Add(c.Spec.DeepClone());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("acts_torch.py", dir);
        var results = new List<Result>();
        for (int i = 0; i < cases.Count; i++)
        {
            var dw = cases[i].Layer.Weights.ToDictionary(w => OracleName(w.Name), w => Npy.Load(Path.Combine(dir, $"{i}_d{OracleName(w.Name)}.npy")).ToArray());
            results.Add(new Result(Npy.Load(Path.Combine(dir, $"{i}_y.npy")).ToArray(), Npy.Load(Path.Combine(dir, $"{i}_dx.npy")).ToArray(), dw));
        }
        return results;
    }

    /// <summary>
    /// Element-wise |a - e| &lt;= rtol |e| + atol; returns the largest absolute difference. float32 against float64:
    /// rtol 1e-5 is ~80 float32 ulps, far below any formula error (a wrong derivative is off by O(1)).
    /// </summary>
    public static double Close(float[] expected, float[] actual, string what, double rtol = 1e-5, double atol = 1e-6)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, oracle has {expected.Length}");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i], d = Math.Abs(a - e);
            Assert.True(d <= rtol * Math.Abs(e) + atol, $"{what}[{i}]: {a} vs oracle {e}");
            worst = Math.Max(worst, d);
        }
        return worst;
    }

    /// <summary>Compares every case with the oracle; returns each case's largest difference (output or gradient).</summary>
    public static Dictionary<string, double> CompareAll(IReadOnlyList<Case> cases, double rtol = 1e-5, double atol = 1e-6)
    {
        var ours = cases.Select(Run).ToList();
        var torch = Torch(cases);
        var worst = new Dictionary<string, double>();
        for (int i = 0; i < cases.Count; i++)
        {
            string l = cases[i].Label;
            double d = Close(torch[i].Y, ours[i].Y, l + " output", rtol, atol);
            d = Math.Max(d, Close(torch[i].Dx, ours[i].Dx, l + " dL/dx", rtol, atol));
            foreach (var (name, g) in torch[i].Dw) d = Math.Max(d, Close(g, ours[i].Dw[name], $"{l} dL/d{name}", rtol, atol));
            worst[l] = d;
        }
        return worst;
    }

    /// <summary>Uniform values in [lo, hi) of the given shape.</summary>
    public static Tensor Uniform(Random rng, double lo, double hi, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return t;
    }
}
