using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using System.Text.Json.Nodes;

namespace KerasNet.Tests.Layers;

public class LayerGradientTests
{
    public static TheoryData<string> Labels()
    {
        var d = new TheoryData<string>();
        foreach (var c in LayerCase.All()) d.Add(c.Label);
        return d;
    }

    private static LayerCase Find(string label) => LayerCase.All().Single(c => c.Label == label);

    [Theory]
    [MemberData(nameof(Labels))]
    public void GradientsMatchFiniteDifferences(string label) => GradientCheck.Check(Find(label));

    /// <summary>All cases in one oracle run (torch starts once); forward, input and weight gradients to 1e-4 relative.</summary>
    [SkippableFact]
    public void ForwardAndGradientsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = LayerCase.All().ToList();
        var dir = Oracle.TempDir();
        var results = new List<(Tensor y, float[] dx, List<float[]> dw)>();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (layer, x, r) = cases[i].Instantiate(100 + i);
            var y = layer.Call(x, training: true).Clone();
            var (dx, dw) = GradientCheck.Analytic(layer, x, r);
            results.Add((y, dx, dw));
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), x);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), r);
            foreach (var w in layer.Weights)
                Npy.Save(Path.Combine(dir, $"{i}_{(w.Name == "kernel" ? "w" : "b")}.npy"), w.Value);
            specs.Add(cases[i].Spec.DeepClone());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("core_torch_layers.py", dir);
        for (int i = 0; i < cases.Count; i++)
        {
            var (y, dx, dw) = results[i];
            var label = cases[i].Label;
            OracleCompare.Close(Npy.Load(Path.Combine(dir, $"{i}_y.npy")), y.ToArray(), label + " output");
            OracleCompare.Close(Npy.Load(Path.Combine(dir, $"{i}_dx.npy")), dx, label + " dL/dx");
            Assert.Equal(y.Shape, Npy.Load(Path.Combine(dir, $"{i}_y.npy")).Shape);
            if (cases[i].Spec["has_w"] is not null)
                OracleCompare.Close(Npy.Load(Path.Combine(dir, $"{i}_dw.npy")), dw[0], label + " dL/dkernel");
            if (cases[i].Spec["has_b"]?.GetValue<bool>() == true)
                OracleCompare.Close(Npy.Load(Path.Combine(dir, $"{i}_db.npy")), dw[1], label + " dL/dbias");
        }
    }
}

/// <summary>Element-wise comparison with an oracle: |a - e| &lt;= 1e-4 |e| + 1e-5 max|e| (the second term absorbs float32 cancellation).</summary>
internal static class OracleCompare
{
    public static void Close(Tensor expected, float[] actual, string what, double rel = 1e-4)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, oracle has {expected.Length}");
        double scale = 0;
        for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected[i], a = actual[i];
            Assert.True(Math.Abs(a - e) <= rel * Math.Abs(e) + 1e-5 * scale + 1e-12, $"{what}[{i}]: {a} vs oracle {e}");
        }
    }
}
