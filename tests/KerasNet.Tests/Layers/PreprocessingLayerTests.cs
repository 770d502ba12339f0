using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The preprocessing layers' arithmetic against independent oracles: PyTorch (F.interpolate bilinear
/// align_corners=False / nearest-exact, autograd; contrast with autograd), numpy (TF's resize and
/// ImageProjectiveTransformV3 transcribed in float32, Keras's Normalization and adapt), scipy.ndimage.affine_transform
/// (where its modes coincide with TF's), and tfjs-core's own TF kernel ports (resizeBilinear / resizeNearestNeighbor
/// with halfPixelCenters, tf.image.transform). Input gradients also against central finite differences.
/// </summary>
public class PreprocessingLayerTests(ITestOutputHelper log)
{
    /// <summary>Max |a - e| over max(1, max |e|); fails above tol (0 demands bit equality).</summary>
    private double Check(float[] expected, float[] actual, double tol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, oracle has {expected.Length}");
        double scale = Math.Max(1, expected.Length == 0 ? 0 : expected.Max(v => Math.Abs(v))), worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (d > worst) (worst, at) = (d, i);
        }
        log.WriteLine($"{what}: max |diff| = {worst:G3}");
        Assert.True(worst <= tol * scale, $"{what}: max |diff| {worst:G4} at [{at}] ({(at >= 0 ? actual[at] : 0)} vs oracle {(at >= 0 ? expected[at] : 0)}), tolerance {tol * scale:G3}");
        return worst;
    }

    [SkippableFact]
    public void EveryCaseMatchesTorchNumpyAndScipy()
    {
        Oracle.RequirePython("torch", "numpy", "scipy");
        var cases = PreprocessingCases().ToList();
        var dir = Oracle.TempDir();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            foreach (var (name, t) in cases[i].Inputs) Npy.Save(Path.Combine(dir, $"{i}_{name}.npy"), t);
            specs.Add(cases[i].Spec.DeepClone());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("prep_layers.py", dir);
        for (int i = 0; i < cases.Count; i++)
            foreach (var (actual, oracle, tol) in cases[i].Compare)
                Check(Npy.Load(Path.Combine(dir, $"{i}_{oracle}.npy")).ToArray(), cases[i].Actual[actual], tol, $"{cases[i].Label} {actual} vs {oracle}");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private static IEnumerable<PrepCase> PreprocessingCases() => PrepCase.All();

    // ---- tfjs-core's TF kernel ports ----

    private static JsonObject T(Tensor t) => new()
    {
        ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
        ["values"] = new JsonArray(t.ToArray().Select(v => (JsonNode)v).ToArray()),
    };

    private static float[] Values(JsonNode n) => n["values"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();

    private static JsonArray RunTfjs(JsonArray cases)
    {
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, "payload.json");
        File.WriteAllText(path, new JsonObject { ["cases"] = cases }.ToJsonString());
        var result = JsonNode.Parse(Oracle.RunNodeScript("prep_tfjs.js", path))!["results"]!.AsArray();
        try { Directory.Delete(dir, true); } catch (IOException) { }
        return result;
    }

    [SkippableFact]
    public void ResizeAndProjectiveTransformMatchTfjsKernels()
    {
        Oracle.RequireNodeTfjs();
        var resizes = PrepCase.Resizes().Where(c => c.Spec["kind"]!.GetValue<string>() == "resize" && !c.Spec["crop"]!.GetValue<bool>()).ToList();
        var affine = PrepCase.Affine().ToList();
        var cases = new JsonArray();
        foreach (var c in resizes)
        {
            var x = c.Inputs["x"];
            // No gradients: tfjs's ResizeBilinearGrad and ResizeNearestNeighborGrad ignore halfPixelCenters (they
            // are the TF1 gradients); torch's autograd is the gradient oracle.
            cases.Add(new JsonObject
            {
                ["kind"] = "resize", ["method"] = c.Spec["interpolation"]!.DeepClone(),
                ["size"] = new JsonArray(c.Spec["height"]!.DeepClone(), c.Spec["width"]!.DeepClone()),
                ["x"] = T(x), ["r"] = T(c.Inputs["r"]), ["grad"] = false,
            });
        }
        foreach (var c in affine)
            cases.Add(new JsonObject
            {
                ["kind"] = "transform", ["x"] = T(c.Inputs["x"]), ["t"] = new JsonArray(c.Inputs["t"].ToArray().Select(v => (JsonNode)v).ToArray()),
                ["interpolation"] = c.Spec["interpolation"]!.DeepClone(), ["fill_mode"] = c.Spec["fill_mode"]!.DeepClone(),
                ["fill_value"] = c.Spec["fill_value"]!.DeepClone(),
            });
        var results = RunTfjs(cases);
        for (int i = 0; i < resizes.Count; i++)
        {
            // tfjs computes the source coordinates in float64, TF and KerasNet in float32: last-bit differences.
            Check(Values(results[i]!["y"]!), resizes[i].Actual["y"], 1e-5, $"{resizes[i].Label} y vs tfjs");
        }
        for (int i = 0; i < affine.Count; i++)
            Check(Values(results[resizes.Count + i]!["y"]!), affine[i].Actual["y"], 1e-5, $"{affine[i].Label} y vs tfjs tf.image.transform");
    }

    [SkippableFact]
    public void APerspectiveTransformDividesByTheProjectionAsTfjsDoes()
    {
        Oracle.RequireNodeTfjs();
        var x = PrepCase.Rand(new Random(5), -1, 1, 2, 6, 5, 2);
        // Entries chosen so that no output pixel lands exactly on an image edge: tfjs computes the coordinates in
        // float64 and TF (and KerasNet) in float32, and on an edge the two can fall on different sides of wrap's
        // discontinuity (with a5 = -0.4, pixel (0, 4) maps to y = 5.0 in float32, the last row, but to 5.0000001 in
        // float64, which wraps to row 0).
        float[] t = [0.913f, -0.187f, 0.519f, 0.297f, 1.093f, -0.371f, 0.0313f, -0.0487f, 1.207f, 0.113f, -1.523f, -0.0971f, 0.811f, 2.037f, -0.0419f, 0.0213f];
        var cases = new JsonArray();
        var ours = new List<float[]>();
        foreach (var (mode, fillMode) in new[] { ("reflect", ImageFillMode.Reflect), ("wrap", ImageFillMode.Wrap), ("constant", ImageFillMode.Constant), ("nearest", ImageFillMode.Nearest) })
            foreach (var (interp, kind) in new[] { ("bilinear", ImageInterpolation.Bilinear), ("nearest", ImageInterpolation.Nearest) })
            {
                var y = new Tensor(x.Shape);
                Backend.Current.ProjectiveTransform(2, 6, 5, 2, x.Buffer, t, fillMode, kind, 0.5f, y.Buffer);
                ours.Add(y.ToArray());
                cases.Add(new JsonObject
                {
                    ["kind"] = "transform", ["x"] = T(x), ["t"] = new JsonArray(t.Select(v => (JsonNode)v).ToArray()),
                    ["interpolation"] = interp, ["fill_mode"] = mode, ["fill_value"] = 0.5,
                });
            }
        var results = RunTfjs(cases);
        for (int i = 0; i < ours.Count; i++) Check(Values(results[i]!["y"]!), ours[i], 1e-5, $"perspective case {i} vs tfjs");
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingOnceWarm()
    {
        var sink = GradientSink.All();
        foreach (var (label, make, shape, lo, hi) in FdCases())
        {
            var layer = make();
            var x = PrepCase.Rand(new Random(1), lo, hi, [4, .. shape]);
            layer.Build(shape);
            var r = PrepCase.Rand(new Random(2), -1, 1, [4, .. layer.OutputShape!]);
            var ctx = new CallContext();
            ctx.Inputs[0] = x;
            ctx.Training = true;
            void Step()
            {
                layer.ForwardNode(ctx);
                layer.BackwardNode(ctx, [r], true, sink);
            }
            Step();
            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 5; k++) Step();
            Assert.True(GC.GetAllocatedBytesForCurrentThread() == before, $"{label}: {GC.GetAllocatedBytesForCurrentThread() - before} bytes allocated in 5 warm steps");
        }
    }

    // ---- finite differences of L = sum(layer(x) * r), each evaluation with a fresh layer (the same seed draws the same transform) ----

    public static TheoryData<string> GradientCases() => new(FdCases().Select(c => c.Label));

    private static IEnumerable<(string Label, Func<Layer> Make, int[] Shape, double Lo, double Hi)> FdCases()
    {
        yield return ("Rescaling", () => new Rescaling(-2.5, 0.5), [3, 4], -1, 1);
        yield return ("Resizing bilinear down", () => new Resizing(3, 4), [5, 7, 2], -1, 1);
        yield return ("Resizing bilinear up, crop", () => new Resizing(7, 5, cropToAspectRatio: true), [4, 6, 1], -1, 1);
        yield return ("Resizing nearest", () => new Resizing(5, 3, "nearest"), [4, 7, 2], -1, 1);
        yield return ("CenterCrop", () => new CenterCrop(3, 2), [5, 6, 2], -1, 1);
        yield return ("CenterCrop resized", () => new CenterCrop(6, 4), [4, 5, 1], -1, 1);
        yield return ("Normalization", () => new Normalization(-1, [0.5, -1], [2, 0.3]), [3, 2], -1, 1);
        yield return ("Normalization invert, axis None", () => new Normalization(null, [0.5], [3], invert: true), [2, 3], -1, 1);
        yield return ("RandomFlip", () => new RandomFlip(seed: 3), [4, 5, 2], -1, 1);
        yield return ("RandomRotation reflect", () => new RandomRotation(0.4, seed: 4), [5, 6, 2], -1, 1);
        yield return ("RandomRotation constant nearest", () => new RandomRotation(0.4, "constant", "nearest", 5, 0.3), [5, 6, 1], -1, 1);
        yield return ("RandomZoom wrap", () => new RandomZoom((-0.5, 0.8), null, "wrap", seed: 6), [6, 5, 2], -1, 1);
        yield return ("RandomTranslation nearest", () => new RandomTranslation(0.5, (-0.9, 0.9), "nearest", seed: 7), [5, 6, 2], -1, 1);
        yield return ("RandomContrast", () => new RandomContrast((0.4, 0.6), seed: 8), [4, 5, 3], 60, 190);
        yield return ("RandomContrast clipped", () => new RandomContrast(0.9, seed: 9, valueRange: (0, 1)), [4, 5, 2], 0, 1);
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void InputGradientsMatchFiniteDifferences(string label)
    {
        var (_, make, shape, lo, hi) = FdCases().Single(c => c.Label == label);
        var rng = new Random(label.Length);
        var x = PrepCase.Rand(rng, lo, hi, [2, .. shape]);
        var probe = make();
        probe.Build(shape);
        var r = PrepCase.Rand(rng, -1, 1, [2, .. probe.OutputShape!]);
        var (_, dx, _) = PrepCase.Run(make(), x, r);
        double Objective()
        {
            var y = make().Call(x, training: true);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)y[i] * r[i];
            return s;
        }
        // The layers are linear in x (RandomContrast piecewise: its clip), so the step only needs to be small against
        // the values' scale; coordinates whose step crosses a clip are skipped (at most a quarter).
        float step = (float)(1e-2 * (hi - lo) / 2);
        int skipped = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float orig = x[i];
            double l0 = Objective();
            x[i] = orig + step; double lp = Objective();
            x[i] = orig - step; double lm = Objective();
            x[i] = orig;
            if (Math.Abs((lp - l0) - (l0 - lm)) > 1e-3 * step) { skipped++; continue; }
            double fd = (lp - lm) / (2 * step);
            Assert.True(Math.Abs(fd - dx[i]) <= 2e-3 + 1e-2 * Math.Abs(dx[i]), $"{label}: dL/dx[{i}] analytic {dx[i]} vs finite difference {fd}");
        }
        Assert.True(skipped * 4 <= x.Length, $"{label}: {skipped} of {x.Length} coordinates crossed a kink");
    }
}
