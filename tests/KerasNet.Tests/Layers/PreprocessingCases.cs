using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

/// <summary>
/// One preprocessing-layer run for the oracles: the spec Oracles/prep_layers.py reads, the arrays it gets
/// (x, r, t, f, p, adapt) and what KerasNet computed ("y", "dx", "mean", ...), with the oracle output each is
/// compared to and the tolerance (relative to the oracle's largest magnitude).
/// </summary>
internal sealed record PrepCase(string Label, JsonObject Spec, Dictionary<string, Tensor> Inputs, Dictionary<string, float[]> Actual,
    (string Actual, string Oracle, double Tol)[] Compare)
{
    public override string ToString() => Label;

    public static Tensor Rand(Random rng, double lo, double hi, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return t;
    }

    /// <summary>Forward in training mode and backward with r in one context: (y, dx, the context).</summary>
    public static (float[] y, float[] dx, CallContext ctx) Run(Layer layer, Tensor x, Tensor r)
    {
        var ctx = new CallContext();
        var y = layer.Call(ctx, x, training: true).ToArray();
        var dx = layer.Backward(ctx, r, needInputGrad: true)!.ToArray();
        return (y, dx, ctx);
    }

    private static JsonObject MakeSpec(string kind, params (string Key, JsonNode? Value)[] fields)
    {
        var o = new JsonObject { ["kind"] = kind };
        foreach (var (k, v) in fields) o[k] = v;
        return o;
    }

    private static PrepCase Image(string label, JsonObject spec, Layer layer, Tensor x, int seed,
        (string, string, double)[] compare, Func<Layer, CallContext, Dictionary<string, Tensor>>? extra = null)
    {
        layer.Build(x.Shape[1..]);
        var r = Rand(new Random(seed + 1), -1, 1, [x.Shape[0], .. layer.OutputShape!]);
        var (y, dx, ctx) = Run(layer, x, r);
        var inputs = new Dictionary<string, Tensor> { ["x"] = x, ["r"] = r };
        if (extra != null) foreach (var (k, v) in extra(layer, ctx)) inputs[k] = v;
        return new PrepCase(label, spec, inputs, new() { ["y"] = y, ["dx"] = dx }, compare);
    }

    // ---- Resizing and CenterCrop (against torch, numpy's TF transcription, and tfjs's kernels) ----

    public static IEnumerable<PrepCase> Resizes()
    {
        int seed = 10;
        foreach (var (h, w, c, oh, ow, interp, crop) in new (int, int, int, int, int, string, bool)[]
        {
            (5, 7, 2, 3, 4, "bilinear", false), (4, 4, 1, 9, 7, "bilinear", false), (6, 9, 3, 4, 4, "bilinear", true),
            (7, 5, 2, 3, 6, "bilinear", true), (3, 3, 1, 3, 3, "bilinear", false), (6, 6, 2, 9, 9, "bilinear", false),
            (5, 7, 2, 3, 4, "nearest", false), (4, 5, 1, 9, 11, "nearest", false), (6, 9, 2, 9, 6, "nearest", false),
            (6, 9, 2, 4, 4, "nearest", true), (5, 5, 3, 2, 3, "nearest", false),
        })
        {
            seed += 3;
            var x = Rand(new Random(seed), -2, 2, 2, h, w, c);
            yield return Image($"Resizing {h}x{w}x{c} -> {oh}x{ow} {interp}{(crop ? " crop_to_aspect_ratio" : "")}",
                MakeSpec("resize", ("height", oh), ("width", ow), ("interpolation", interp), ("crop", crop)),
                new Resizing(oh, ow, interp, crop), x, seed,
                [("y", "y_np", 1e-6), ("y", "y_torch", 1e-5), ("dx", "dx_torch", 1e-5)]);
        }
        foreach (var (h, w, c, oh, ow) in new (int, int, int, int, int)[] { (8, 9, 2, 4, 5), (7, 6, 1, 4, 4), (5, 5, 2, 5, 5), (4, 6, 2, 6, 5), (3, 3, 1, 5, 8) })
        {
            seed += 3;
            var x = Rand(new Random(seed), -2, 2, 2, h, w, c);
            bool upsizes = h < oh || w < ow;
            yield return Image($"CenterCrop {h}x{w}x{c} -> {oh}x{ow}{(upsizes ? " (resized)" : "")}",
                MakeSpec("center_crop", ("height", oh), ("width", ow)), new CenterCrop(oh, ow), x, seed,
                upsizes ? [("y", "y_np", 1e-6), ("y", "y_torch", 1e-5), ("dx", "dx_torch", 1e-5)] : [("y", "y_np", 0), ("dx", "dx_np", 0)]);
        }
    }

    // ---- Rescaling and Normalization (against numpy) ----

    public static IEnumerable<PrepCase> Elementwise()
    {
        var rng = new Random(40);
        foreach (var (scale, offset, shape) in new (double, double, int[])[] { (1.0 / 255, 0, [4, 5, 3]), (1.0 / 127.5, -1, [6]), (-3.5, 0.25, [2, 3]) })
        {
            var x = Rand(rng, 0, 255, [3, .. shape]);
            var layer = new Rescaling(scale, offset);
            layer.Build(shape);
            var r = Rand(rng, -1, 1, x.Shape);
            var (y, dx, _) = Run(layer, x, r);
            yield return new($"Rescaling scale={scale:G4} offset={offset} {string.Join("x", shape)}", MakeSpec("rescale", ("scale", scale), ("offset", offset)),
                new() { ["x"] = x, ["r"] = r }, new() { ["y"] = y, ["dx"] = dx }, [("y", "y_np", 1e-7), ("dx", "dx_np", 1e-7)]);
        }
        foreach (var (axes, shape, mean, variance, invert, adaptShape) in new (int[], int[], double[]?, double[]?, bool, int[]?)[]
        {
            ([-1], [5, 3], [1.0, -2.0, 0.5], [4.0, 0.25, 9.0], false, null),
            ([], [4], [3.0], [2.0], false, null),
            ([-1], [3], [0.5, 1.5, -1], [1e-20, 0.5, 2], true, null),
            ([-1], [4, 5, 3], null, null, false, [7, 4, 5, 3]),
            ([], [6], null, null, false, [9, 6]),
            ([1, 2], [4, 5, 3], null, null, false, [3, 4, 5, 3]),
            ([1], [3, 4], null, null, true, [5, 3, 4]),
            ([-1, 1], [2, 3, 4], null, null, false, [6, 2, 3, 4]),
            ([-1], [40], null, null, false, [6, 40]), // 32 or more statistics per row: the vectorised path
            ([-1], [3, 36], null, null, true, [4, 3, 36]),
        })
        {
            var layer = new Normalization(axes, mean, variance, invert);
            var inputs = new Dictionary<string, Tensor>();
            var actual = new Dictionary<string, float[]>();
            var compare = new List<(string, string, double)> { ("y", "y_np", 1e-6), ("dx", "dx_np", 1e-6) };
            if (adaptShape != null)
            {
                var data = Rand(rng, -3, 5, adaptShape);
                for (int i = 0; i < data.Length; i += 7) data[i] *= 3; // spread, so the statistics differ per index
                layer.Adapt(data);
                inputs["adapt"] = data;
                actual["mean"] = layer.Weights[0].Value.ToArray();
                actual["var"] = layer.Weights[1].Value.ToArray();
                actual["count"] = layer.Weights[2].Value.ToArray();
                compare.AddRange([("mean", "mean_np", 1e-6), ("var", "var_np", 1e-6), ("count", "count_np", 0)]);
            }
            else layer.Build(shape);
            var x = Rand(rng, -4, 4, [3, .. shape]);
            var r = Rand(rng, -1, 1, x.Shape);
            var (y, dx, _) = Run(layer, x, r);
            (inputs["x"], inputs["r"], actual["y"], actual["dx"]) = (x, r, y, dx);
            var spec = MakeSpec("normalize", ("axis", new JsonArray(axes.Select(a => (JsonNode)a).ToArray())), ("invert", invert),
                ("mean", mean is null ? null : new JsonArray(mean.Select(v => (JsonNode)v).ToArray())),
                ("variance", variance is null ? null : new JsonArray(variance.Select(v => (JsonNode)v).ToArray())));
            yield return new($"Normalization axis=[{string.Join(",", axes)}] {string.Join("x", shape)}{(adaptShape != null ? " adapted" : "")}{(invert ? " invert" : "")}",
                spec, inputs, actual, [.. compare]);
        }
    }

    // ---- the random layers: their drawn transforms through TF's ImageProjectiveTransformV3 ----

    private static Dictionary<string, Tensor> DrawnAsTensor(Layer layer, CallContext ctx, string key)
    {
        var p = ((RandomImageLayer)layer).DrawnParameters(ctx)!;
        return new() { [key] = new Tensor(p.SelectMany(v => v).ToArray(), p.Length, p[0].Length) };
    }

    public static IEnumerable<PrepCase> Affine()
    {
        int seed = 60;
        foreach (var mode in new[] { "reflect", "wrap", "constant", "nearest" })
            foreach (var interp in new[] { "bilinear", "nearest" })
                foreach (var kind in new[] { "rotation", "zoom", "translation" })
                {
                    seed += 5;
                    double fill = mode == "constant" ? 0.75 : 0;
                    RandomAffineLayer layer = kind switch
                    {
                        "rotation" => new RandomRotation(0.5, mode, interp, seed, fill),
                        "zoom" => new RandomZoom((-0.6, 1.0), (-0.5, 0.9), mode, interp, seed, fill),
                        _ => new RandomTranslation((-1.0, 1.0), 0.9, mode, interp, seed, fill),
                    };
                    var x = Rand(new Random(seed), -1, 1, 3, 6, 7, 2);
                    var spec = MakeSpec("affine", ("fill_mode", mode), ("interpolation", interp), ("fill_value", fill));
                    var compare = new List<(string, string, double)> { ("y", "y_np", 1e-6), ("dx", "dx_np", 1e-5) };
                    if (interp == "bilinear" && mode != "wrap") compare.Add(("y", "y_scipy", 1e-5));
                    yield return Image($"Random{char.ToUpperInvariant(kind[0])}{kind[1..]} fill_mode={mode} interpolation={interp}", spec, layer, x, seed,
                        [.. compare], (l, ctx) => DrawnAsTensor(l, ctx, "t"));
                }
    }

    /// <summary>RandomContrast's per-image factors and RandomFlip's per-image flips, against torch and numpy.</summary>
    public static IEnumerable<PrepCase> ContrastAndFlip()
    {
        foreach (var (factor, range, lo, hi, seed) in new (Factor, (double, double)?, double, double, int)[]
        {
            ((0.5, 0.8), null, 0, 255, 80), (0.3, (0.0, 1.0), 0, 1, 81), (0.0, null, 0, 255, 82),
        })
        {
            var layer = new RandomContrast(factor, seed, range);
            var x = Rand(new Random(seed), lo, hi, 4, 5, 6, 3);
            var (l, h) = range ?? (0, 255);
            yield return Image($"RandomContrast factor={factor} value_range=({l}, {h})", MakeSpec("contrast", ("low", l), ("high", h)), layer, x, seed,
                [("y", "y_torch", 1e-6), ("dx", "dx_torch", 1e-5)], (ly, ctx) =>
                {
                    var p = ((RandomImageLayer)ly).DrawnParameters(ctx)!;
                    return new() { ["f"] = new Tensor(p.Select(v => v[0]).ToArray(), p.Length) };
                });
        }
        foreach (var (mode, seed) in new[] { ("horizontal_and_vertical", 90), ("horizontal", 91), ("vertical", 92) })
        {
            var x = Rand(new Random(seed), -1, 1, 8, 3, 4, 2);
            yield return Image($"RandomFlip mode={mode}", MakeSpec("flip"), new RandomFlip(mode, seed), x, seed,
                [("y", "y_np", 0)], (l, ctx) => DrawnAsTensor(l, ctx, "p"));
        }
    }

    public static IEnumerable<PrepCase> All() => Resizes().Concat(Elementwise()).Concat(Affine()).Concat(ContrastAndFlip());
}
