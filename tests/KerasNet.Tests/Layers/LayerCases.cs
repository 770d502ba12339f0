using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

/// <summary>
/// One layer configuration to check: how to make it, a batch input shape, the spec the PyTorch oracle reads,
/// and whether the function has kinks (relu, max) where finite differences are unreliable.
/// </summary>
internal sealed record LayerCase(string Label, Func<Layer> Make, int[] InputShape, JsonObject Spec, bool Kinked)
{
    public override string ToString() => Label;

    public static readonly string[] ActivationNames = ["linear", "relu", "sigmoid", "tanh", "softmax"];

    /// <summary>Every case the brief lists: Conv2D, pooling, Flatten, Dense (rank 2 and 3), Activation.</summary>
    public static IEnumerable<LayerCase> All()
    {
        foreach (var padding in new[] { "valid", "same" })
            foreach (var stride in new[] { 1, 2 })
                foreach (var bias in new[] { true, false })
                    foreach (var act in ActivationNames)
                    {
                        // Stride 2 uses an even 2x3 kernel on the odd 7x6 image, so TF's 'same' pads asymmetrically.
                        (int kh, int kw) = stride == 1 ? (3, 3) : (2, 3);
                        var spec = new JsonObject
                        {
                            ["kind"] = "conv2d", ["kernel"] = Ints(kh, kw), ["strides"] = Ints(stride, stride),
                            ["padding"] = padding, ["activation"] = act, ["has_w"] = true, ["has_b"] = bias,
                        };
                        yield return new LayerCase($"conv2d {kh}x{kw} s{stride} {padding} {(bias ? "bias" : "nobias")} {act}",
                            () => new Conv2D(4, (kh, kw), strides: (stride, stride), padding: padding, activation: act, useBias: bias),
                            [2, 7, 6, 3], spec, act == "relu");
                    }
        foreach (var kind in new[] { "maxpool", "avgpool" })
            foreach (var padding in new[] { "valid", "same" })
                foreach (var (pool, stride) in new[] { (2, 2), (3, 2), (3, 1) })
                {
                    var spec = new JsonObject { ["kind"] = kind, ["pool"] = Ints(pool, pool), ["strides"] = Ints(stride, stride), ["padding"] = padding };
                    yield return new LayerCase($"{kind} {pool}x{pool} s{stride} {padding}",
                        () => kind == "maxpool"
                            ? new MaxPooling2D(poolSize: (pool, pool), strides: (stride, stride), padding: padding)
                            : new AveragePooling2D(poolSize: (pool, pool), strides: (stride, stride), padding: padding),
                        [2, 7, 5, 3], spec, kind == "maxpool");
                }
        // Non-overlapping windows over 16 or 32 channels take the vectorised max-pooling backward: odd images,
        // 'same' padding, gaps between windows (stride past the pool).
        foreach (int channels in new[] { 16, 32 })
            foreach (var padding in new[] { "valid", "same" })
                foreach (var (pool, stride) in new[] { (2, 2), (2, 3), (3, 3) })
                {
                    var spec = new JsonObject { ["kind"] = "maxpool", ["pool"] = Ints(pool, pool), ["strides"] = Ints(stride, stride), ["padding"] = padding };
                    yield return new LayerCase($"maxpool {pool}x{pool} s{stride} {padding} {channels} channels 7x9",
                        () => new MaxPooling2D(poolSize: (pool, pool), strides: (stride, stride), padding: padding),
                        [2, 7, 9, channels], spec, true);
                }
        yield return new LayerCase("flatten", () => new Flatten(), [2, 3, 4, 5], new JsonObject { ["kind"] = "flatten" }, false);
        foreach (var act in ActivationNames)
            foreach (var bias in new[] { true, false })
                yield return new LayerCase($"dense {(bias ? "bias" : "nobias")} {act}", () => new Dense(5, activation: act, useBias: bias),
                    [3, 7], new JsonObject { ["kind"] = "dense", ["activation"] = act, ["has_w"] = true, ["has_b"] = bias }, act == "relu");
        // Past 16 rows the input gradient takes the blocked kernel (W rows against dY^T): odd widths and batches.
        foreach (var (rows, inDim, units) in new[] { (17, 37, 33), (40, 9, 70), (33, 1, 5), (64, 20, 1) })
            yield return new LayerCase($"dense batch {rows} {inDim}->{units} tanh", () => new Dense(units, activation: "tanh"),
                [rows, inDim], new JsonObject { ["kind"] = "dense", ["activation"] = "tanh", ["has_w"] = true, ["has_b"] = true }, false);
        // Convolutions of few input channels (a network's first layer) on an odd image, strided and padded.
        foreach (int channels in new[] { 1, 2, 4, 5 })
            foreach (var (stride, padding) in new[] { (1, "valid"), (2, "same"), (1, "same") })
            {
                var spec = new JsonObject
                {
                    ["kind"] = "conv2d", ["kernel"] = Ints(3, 3), ["strides"] = Ints(stride, stride),
                    ["padding"] = padding, ["activation"] = "linear", ["has_w"] = true, ["has_b"] = true,
                };
                yield return new LayerCase($"conv2d 3x3 s{stride} {padding} {channels} channels 9x7",
                    () => new Conv2D(5, (3, 3), strides: (stride, stride), padding: padding), [3, 9, 7, channels], spec, false);
            }
        yield return new LayerCase("dense rank-3 input tanh", () => new Dense(4, activation: "tanh"),
            [2, 3, 5], new JsonObject { ["kind"] = "dense", ["activation"] = "tanh", ["has_w"] = true, ["has_b"] = true }, false);
        foreach (var act in ActivationNames)
            yield return new LayerCase($"activation {act}", () => new Activation(act), [2, 3, 6],
                new JsonObject { ["kind"] = "activation", ["activation"] = act }, act == "relu");
    }

    /// <summary>Builds the layer with seeded kernels and random (non-zero) biases, and draws input and upstream gradient.</summary>
    public (Layer layer, Tensor x, Tensor r) Instantiate(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var layer = Make();
        layer.Build(InputShape[1..]);
        var rng = new Random(seed);
        foreach (var w in layer.Weights.Where(w => w.Name == "bias"))
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() - 0.5);
        var x = Models.Synthetic.Uniform(rng, -1, 1, InputShape);
        var r = Models.Synthetic.Uniform(rng, -1, 1, [InputShape[0], .. layer.OutputShape!]);
        return (layer, x, r);
    }

    private static JsonArray Ints(params int[] v) => new(v.Select(i => (JsonNode)i).ToArray());
}
