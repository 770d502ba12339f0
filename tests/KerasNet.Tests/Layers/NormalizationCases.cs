using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

/// <summary>
/// One normalization-layer configuration for the PyTorch oracle (Oracles/norm_torch.py) and finite differences: how
/// to make it, the per-sample input shape, the batch, and the spec the oracle reads (its Keras axes written here by
/// hand, not taken from KerasNet). <see cref="Unbiased"/> is the moving-variance rule tf.keras 2.4 applies to it.
/// </summary>
internal sealed record NormCase(string Label, Func<Layer> Make, int[] Shape, int Batch, JsonObject Spec, bool Unbiased = false, bool ZeroRow = false)
{
    public override string ToString() => Label;

    public bool Training => Spec["training"]?.GetValue<bool>() ?? false;

    /// <summary>A built layer with random weights (positive variances), its input and an upstream gradient r.</summary>
    public (Layer layer, Tensor x, Tensor r) Instantiate(int seed)
    {
        var rng = new Random(seed);
        var layer = Make();
        layer.Build(Shape);
        foreach (var w in layer.Weights)
        {
            var (lo, hi) = w.Name switch { "gamma" or "moving_variance" => (0.5, 1.5), _ => (-0.5, 0.5) };
            var v = new float[w.Size];
            for (int i = 0; i < v.Length; i++) v[i] = (float)(lo + (hi - lo) * rng.NextDouble());
            w.Assign(v);
        }
        var x = Fill(new Tensor(ShapeUtil.WithBatch(Batch, Shape)), rng, 1.5, 0.3);
        if (ZeroRow) x.Span[..ShapeUtil.Product(Shape)].Clear();
        var r = Fill(new Tensor(x.Shape), rng, 1, 0);
        return (layer, x, r);
    }

    private static Tensor Fill(Tensor t, Random rng, double scale, double offset)
    {
        for (int i = 0; i < t.Length; i++) t[i] = (float)(offset + scale * (rng.NextDouble() * 2 - 1));
        return t;
    }

    private static JsonObject MakeSpec(string layer, int[] axes, double eps, bool training = false, double momentum = 0.99) => new()
    {
        ["layer"] = layer,
        ["axes"] = new JsonArray(axes.Select(a => (JsonNode)a).ToArray()),
        ["eps"] = eps,
        ["training"] = training,
        ["momentum"] = momentum,
    };

    private static NormCase Bn(string label, int[] shape, int batch, AxisSpec axis, int[] kerasAxes, bool training, bool unbiased,
        double momentum = 0.9, bool center = true, bool scale = true) =>
        new($"bn {label}", () => new BatchNormalization(axis, momentum, 1e-3, center, scale), shape, batch,
            MakeSpec("bn", kerasAxes, 1e-3, training, momentum), unbiased);

    private static NormCase Ln(string label, int[] shape, int batch, AxisSpec axis, int[] kerasAxes, double eps = 1e-3, bool center = true, bool scale = true) =>
        new($"ln {label}", () => new LayerNormalization(axis, eps, center, scale), shape, batch, MakeSpec("ln", kerasAxes, eps));

    private static NormCase Unit(string label, int[] shape, int batch, AxisSpec axis, int[] kerasAxes, bool zeroRow = false) =>
        new($"unit {label}", () => new UnitNormalization(axis), shape, batch, MakeSpec("unit", kerasAxes, 0), ZeroRow: zeroRow);

    /// <summary>Small enough for finite differences: every axis layout, training and inference, center/scale off.</summary>
    public static IEnumerable<NormCase> Small()
    {
        yield return Bn("2-D axis -1 training", [5], 6, -1, [1], true, false);
        yield return Bn("4-D axis -1 training", [3, 4, 5], 3, -1, [3], true, true);
        yield return Bn("4-D axis 1 (channels_first) training", [3, 4, 2], 2, 1, [1], true, true);
        yield return Bn("4-D axis -2 training", [3, 4, 2], 2, -2, [2], true, false);
        yield return Bn("3-D axis -1 training", [5, 3], 4, -1, [2], true, false);
        yield return Bn("3-D axis 1 training", [5, 3], 4, 1, [1], true, false);
        yield return Bn("4-D axes [1, 3] training", [3, 2, 4], 2, new[] { 1, 3 }, [1, 3], true, false);
        yield return Bn("4-D axes [2, 3] training", [2, 3, 4], 2, new[] { 2, 3 }, [2, 3], true, false);
        yield return Bn("4-D axis [3] as a list training", [2, 3, 4], 2, new[] { 3 }, [3], true, true);
        yield return Bn("4-D axis -1 inference", [3, 4, 5], 2, -1, [3], false, false);
        yield return Bn("4-D axis 1 inference", [3, 4, 2], 2, 1, [1], false, false);
        yield return Bn("4-D axes [1, 3] inference", [3, 2, 4], 2, new[] { 1, 3 }, [1, 3], false, false);
        yield return Bn("2-D no center no scale training", [4], 5, -1, [1], true, false, center: false, scale: false);
        yield return Bn("3-D no scale inference", [4, 3], 3, -1, [2], false, false, scale: false);
        yield return Bn("4-D axis 2 no center inference", [3, 4, 2], 2, 2, [2], false, false, center: false);
        yield return Ln("2-D axis -1", [6], 4, -1, [1]);
        yield return Ln("3-D axis -1", [4, 5], 3, -1, [2]);
        yield return Ln("4-D axes [1, 2, 3]", [2, 3, 4], 2, new[] { 1, 2, 3 }, [1, 2, 3]);
        yield return Ln("3-D axis 1 (middle)", [4, 5], 3, 1, [1]);
        yield return Ln("4-D axes [3, 1] (unsorted, apart)", [3, 2, 4], 2, new[] { 3, 1 }, [3, 1]);
        yield return Ln("3-D no center eps 1e-5", [4, 5], 3, -1, [2], eps: 1e-5, center: false);
        yield return Ln("2-D no center no scale", [6], 3, -1, [1], center: false, scale: false);
        yield return Unit("2-D axis -1", [5], 3, -1, [1]);
        yield return Unit("3-D axes [1, 2]", [3, 4], 2, new[] { 1, 2 }, [1, 2]);
        yield return Unit("3-D axis 1 (middle)", [3, 4], 2, 1, [1]);
        yield return Unit("4-D axes [1, 3]", [2, 3, 2], 2, new[] { 1, 3 }, [1, 3]);
    }

    /// <summary>Larger cases for the oracle only: row tails of the tiled path (1024-float blocks), more than 64 blocks per flush.</summary>
    public static IEnumerable<NormCase> Large()
    {
        yield return Bn("4-D 3 channels 245 rows training", [7, 7, 3], 5, -1, [3], true, true);
        yield return Bn("4-D 8 channels 270 rows (2 blocks and a tail) training", [9, 10, 8], 3, -1, [3], true, true);
        yield return Bn("4-D 16 channels 4608 rows (72 blocks) training", [48, 48, 16], 2, -1, [3], true, true, momentum: 0.99);
        yield return Bn("4-D axis 1 32x32 training", [4, 32, 32], 2, 1, [1], true, true);
        yield return Ln("3-D 300 features", [5, 300], 2, -1, [2]);
        yield return Unit("2-D a zero row", [7], 3, -1, [1], zeroRow: true);
    }

    public static IEnumerable<NormCase> All() => Small().Concat(Large());
}
