using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

/// <summary>
/// One convolution-layer configuration: how to make it, a batch input shape (channels_last), the spec
/// Oracles/conv_torch.py reads, and whether it has kinks (relu) where finite differences are unreliable.
/// </summary>
internal sealed record ConvCase(string Label, Func<Layer> Make, int[] InputShape, JsonObject Spec, bool Kinked)
{
    public override string ToString() => Label;

    private static JsonArray Ints(params int[] v) => new(v.Select(i => (JsonNode)i).ToArray());

    private static ConvCase Case(string kind, int rank, int[] input, int[] k, int[] s, int[] d, string padding, string act,
        Func<Layer> make, int groups = 1, int[]? outputPadding = null, bool bias = true, string extra = "")
    {
        var weights = new JsonArray("w");
        if (kind == "separable") weights.Add("p");
        if (bias) weights.Add("b");
        var spec = new JsonObject
        {
            ["kind"] = kind, ["rank"] = rank, ["kernel"] = Ints(k), ["strides"] = Ints(s), ["dilation"] = Ints(d),
            ["padding"] = padding, ["groups"] = groups, ["activation"] = act, ["weights"] = weights,
            ["output_padding"] = outputPadding is null ? null : Ints(outputPadding),
        };
        string label = $"{kind}{rank}d k{string.Join("x", k)} s{string.Join("x", s)} d{string.Join("x", d)} {padding}" +
            $"{(groups > 1 ? $" g{groups}" : "")}{(outputPadding is null ? "" : $" op{string.Join("x", outputPadding)}")}" +
            $"{(bias ? "" : " nobias")} {act} in{string.Join("x", input[1..])}{extra}";
        return new ConvCase(label, make, input, spec, act == "relu");
    }

    /// <summary>Every layer in scope with the options that change its arithmetic (odd sizes make 'same' pad asymmetrically).</summary>
    public static IEnumerable<ConvCase> All()
    {
        // ---- Conv2D: dilation, groups (a few, one channel each, and the depthwise-equivalent groups = channels), 1x1 ----
        yield return Case("conv", 2, [2, 9, 8, 3], [3, 3], [1, 1], [2, 2], "valid", "tanh", () => new Conv2D(4, 3, dilationRate: (2, 2), activation: "tanh"));
        yield return Case("conv", 2, [2, 7, 8, 3], [3, 2], [1, 1], [2, 3], "same", "linear", () => new Conv2D(2, (3, 2), padding: "same", dilationRate: (2, 3)));
        yield return Case("conv", 2, [2, 7, 6, 4], [3, 3], [1, 1], [1, 1], "same", "sigmoid", () => new Conv2D(6, 3, padding: "same", groups: 2, activation: "sigmoid"), groups: 2);
        yield return Case("conv", 2, [2, 7, 6, 4], [2, 3], [2, 2], [1, 1], "same", "relu", () => new Conv2D(4, (2, 3), strides: 2, padding: "same", groups: 2, activation: "relu"), groups: 2);
        yield return Case("conv", 2, [2, 8, 7, 4], [3, 3], [1, 1], [2, 2], "valid", "linear", () => new Conv2D(2, 3, dilationRate: 2, groups: 2), groups: 2);
        yield return Case("conv", 2, [2, 6, 5, 8], [2, 2], [1, 1], [1, 1], "valid", "tanh", () => new Conv2D(4, 2, groups: 4, activation: "tanh", useBias: false), groups: 4, bias: false);
        yield return Case("conv", 2, [2, 7, 6, 3], [3, 3], [2, 2], [1, 1], "same", "linear", () => new Conv2D(6, 3, strides: 2, padding: "same", groups: 3), groups: 3);
        yield return Case("conv", 2, [2, 7, 6, 3], [3, 3], [1, 1], [2, 2], "same", "softmax", () => new Conv2D(3, 3, padding: "same", dilationRate: 2, groups: 3, activation: "softmax"), groups: 3);
        yield return Case("conv", 2, [2, 5, 4, 6], [1, 1], [1, 1], [1, 1], "valid", "tanh", () => new Conv2D(5, 1, activation: "tanh"));
        yield return Case("conv", 2, [2, 5, 4, 6], [1, 1], [2, 2], [1, 1], "valid", "linear", () => new Conv2D(5, 1, strides: 2));
        // ---- Conv1D: valid/same/causal, strides, dilation, groups ----
        yield return Case("conv", 1, [2, 9, 3], [3], [1], [1], "valid", "tanh", () => new Conv1D(4, 3, activation: "tanh"));
        yield return Case("conv", 1, [2, 10, 3], [4], [3], [1], "same", "linear", () => new Conv1D(2, 4, strides: 3, padding: "same"));
        yield return Case("conv", 1, [2, 9, 3], [4], [1], [2], "causal", "sigmoid", () => new Conv1D(3, 4, padding: "causal", dilationRate: 2, activation: "sigmoid"));
        yield return Case("conv", 1, [2, 8, 4], [3], [2], [1], "causal", "linear", () => new Conv1D(6, 3, strides: 2, padding: "causal", groups: 2), groups: 2);
        yield return Case("conv", 1, [2, 9, 3], [2], [1], [3], "same", "relu", () => new Conv1D(6, 2, padding: "same", dilationRate: 3, groups: 3, activation: "relu"), groups: 3);
        yield return Case("conv", 1, [2, 11, 2], [5], [3], [1], "valid", "linear", () => new Conv1D(3, 5, strides: 3, useBias: false), bias: false);
        // ---- Conv2DTranspose: strides, padding, output_padding, dilation, kernels shorter than their stride ----
        yield return Case("conv_transpose", 2, [2, 4, 3, 3], [3, 3], [2, 2], [1, 1], "same", "linear", () => new Conv2DTranspose(4, 3, strides: 2, padding: "same"));
        yield return Case("conv_transpose", 2, [2, 4, 3, 3], [3, 3], [2, 2], [1, 1], "valid", "tanh", () => new Conv2DTranspose(2, 3, strides: 2, activation: "tanh"));
        yield return Case("conv_transpose", 2, [2, 3, 4, 2], [2, 2], [2, 2], [1, 1], "valid", "linear", () => new Conv2DTranspose(3, 2, strides: 2));
        yield return Case("conv_transpose", 2, [2, 3, 4, 2], [4, 4], [2, 2], [1, 1], "same", "sigmoid", () => new Conv2DTranspose(3, 4, strides: 2, padding: "same", activation: "sigmoid"));
        yield return Case("conv_transpose", 2, [2, 4, 3, 3], [3, 3], [2, 2], [1, 1], "valid", "linear", () => new Conv2DTranspose(2, 3, strides: 2, outputPadding: (1, 0)), outputPadding: [1, 0]);
        yield return Case("conv_transpose", 2, [2, 4, 3, 3], [3, 3], [2, 2], [1, 1], "same", "linear", () => new Conv2DTranspose(2, 3, strides: 2, padding: "same", outputPadding: (0, 1)), outputPadding: [0, 1]);
        yield return Case("conv_transpose", 2, [2, 3, 3, 2], [3, 2], [2, 3], [1, 1], "valid", "linear", () => new Conv2DTranspose(2, (3, 2), strides: (2, 3), outputPadding: (1, 2)), outputPadding: [1, 2]);
        yield return Case("conv_transpose", 2, [2, 5, 4, 2], [3, 3], [1, 1], [2, 2], "same", "tanh", () => new Conv2DTranspose(3, 3, padding: "same", dilationRate: 2, activation: "tanh"));
        yield return Case("conv_transpose", 2, [2, 3, 4, 2], [3, 2], [1, 1], [2, 1], "valid", "linear", () => new Conv2DTranspose(2, (3, 2), dilationRate: (2, 1), useBias: false), bias: false);
        yield return Case("conv_transpose", 2, [2, 3, 3, 2], [2, 2], [3, 3], [1, 1], "valid", "linear", () => new Conv2DTranspose(2, 2, strides: 3));
        yield return Case("conv_transpose", 2, [2, 3, 3, 4], [1, 1], [1, 1], [1, 1], "valid", "relu", () => new Conv2DTranspose(3, 1, activation: "relu"));
        // ---- Conv1DTranspose ----
        yield return Case("conv_transpose", 1, [2, 5, 3], [3], [2], [1], "same", "linear", () => new Conv1DTranspose(2, 3, strides: 2, padding: "same"));
        yield return Case("conv_transpose", 1, [2, 5, 3], [3], [2], [1], "valid", "tanh", () => new Conv1DTranspose(2, 3, strides: 2, outputPadding: 1, activation: "tanh"), outputPadding: [1]);
        yield return Case("conv_transpose", 1, [2, 6, 2], [3], [1], [2], "valid", "linear", () => new Conv1DTranspose(3, 3, dilationRate: 2));
        // ---- DepthwiseConv2D: multipliers, strides, dilation, channel counts around the vector widths (16, 64) ----
        yield return Case("depthwise", 2, [2, 7, 6, 5], [3, 3], [1, 1], [1, 1], "same", "linear", () => new DepthwiseConv2D(3, padding: "same"));
        yield return Case("depthwise", 2, [2, 7, 6, 3], [3, 3], [2, 2], [1, 1], "valid", "tanh", () => new DepthwiseConv2D(3, strides: 2, depthMultiplier: 2, activation: "tanh"));
        yield return Case("depthwise", 2, [2, 6, 5, 3], [2, 3], [2, 1], [1, 1], "same", "linear", () => new DepthwiseConv2D((2, 3), strides: (2, 1), padding: "same", depthMultiplier: 3, useBias: false), bias: false);
        yield return Case("depthwise", 2, [2, 8, 7, 20], [3, 3], [1, 1], [2, 2], "same", "tanh", () => new DepthwiseConv2D(3, padding: "same", dilationRate: 2, activation: "tanh"));
        yield return Case("depthwise", 2, [2, 5, 5, 1], [3, 3], [1, 1], [1, 1], "valid", "sigmoid", () => new DepthwiseConv2D(3, depthMultiplier: 4, activation: "sigmoid"));
        yield return Case("depthwise", 2, [1, 6, 5, 33], [3, 3], [1, 1], [1, 1], "same", "linear", () => new DepthwiseConv2D(3, padding: "same"));
        yield return Case("depthwise", 2, [1, 7, 6, 70], [5, 5], [2, 2], [1, 1], "same", "tanh", () => new DepthwiseConv2D(5, strides: 2, padding: "same", activation: "tanh"));
        // ---- SeparableConv2D / SeparableConv1D ----
        yield return Case("separable", 2, [2, 7, 6, 3], [3, 3], [1, 1], [1, 1], "same", "linear", () => new SeparableConv2D(4, 3, padding: "same"));
        yield return Case("separable", 2, [2, 7, 6, 3], [3, 3], [2, 2], [1, 1], "valid", "tanh", () => new SeparableConv2D(3, 3, strides: 2, depthMultiplier: 2, activation: "tanh", useBias: false), bias: false);
        yield return Case("separable", 2, [2, 8, 7, 2], [3, 3], [1, 1], [2, 2], "same", "sigmoid", () => new SeparableConv2D(3, 3, padding: "same", dilationRate: 2, activation: "sigmoid"));
        yield return Case("separable", 1, [2, 9, 3], [3], [1], [1], "same", "linear", () => new SeparableConv1D(4, 3, padding: "same"));
        yield return Case("separable", 1, [2, 9, 3], [3], [1], [2], "causal", "tanh", () => new SeparableConv1D(2, 3, padding: "causal", dilationRate: 2, depthMultiplier: 2, activation: "tanh"));
        yield return Case("separable", 1, [2, 10, 2], [4], [2], [1], "valid", "linear", () => new SeparableConv1D(3, 4, strides: 2));
    }

    /// <summary>Builds the layer, fills every weight (biases included) with seeded values, draws input and upstream gradient.</summary>
    public (Layer layer, Tensor x, Tensor r) Instantiate(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var layer = Make();
        layer.Build(InputShape[1..]);
        var rng = new Random(seed);
        foreach (var w in layer.Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() - 0.5);
        var x = Models.Synthetic.Uniform(rng, -1, 1, InputShape);
        var r = Models.Synthetic.Uniform(rng, -1, 1, [InputShape[0], .. layer.OutputShape!]);
        return (layer, x, r);
    }
}
