#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>RandomFlip</c>: in training each image is flipped left-right and/or top-bottom, each flip taken with
/// probability 1/2 independently per image (tf.image.random_flip_left_right then random_flip_up_down, as tf.keras 2.x
/// calls them); the identity at inference. A flip is a permutation, so its gradient is the same flip of the gradient.
/// </summary>
[KerasLayer("RandomFlip")]
public sealed class RandomFlip : RandomImageLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="mode">"horizontal" (left-right), "vertical" (top-bottom) or "horizontal_and_vertical" (default).</param>
    /// <param name="seed">Seed of the layer's own generator; null draws from the context's "augment" stream.</param>
    /// <param name="inputShape">Keras's input_shape.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public RandomFlip(string mode = "horizontal_and_vertical", int? seed = null, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(seed, inputShape, name, trainable)
    {
        (Horizontal, Vertical) = mode switch
        {
            "horizontal" => (true, false),
            "vertical" => (false, true),
            "horizontal_and_vertical" => (true, true),
            _ => throw new KerasNetException($"RandomFlip: unknown mode '{mode}'; expected \"horizontal\", \"vertical\" or \"horizontal_and_vertical\"."),
        };
        Mode = mode;
    }

    /// <summary>The layer of a Keras config (Keras 3's channels_first data_format is refused).</summary>
    internal static RandomFlip FromConfig(LayerConfigReader c)
    {
        PreprocessingArgs.RefuseChannelsFirst(c);
        return new RandomFlip(c.String("horizontal_and_vertical", "mode")!, c.OptionalInt("seed"), name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>"horizontal", "vertical" or "horizontal_and_vertical".</summary>
    public string Mode { get; }

    /// <summary>Whether left-right flips are drawn.</summary>
    public bool Horizontal { get; }

    /// <summary>Whether top-bottom flips are drawn.</summary>
    public bool Vertical { get; }

    // Per image: [flip left-right, flip top-bottom], each 0 or 1.
    private protected override int ParamsPerImage => 2;

    private protected override void Draw(Random rng, int height, int width, Span<float> p)
    {
        p[0] = Horizontal && rng.NextDouble() < 0.5 ? 1 : 0;
        p[1] = Vertical && rng.NextDouble() < 0.5 ? 1 : 0;
    }

    private protected override void Apply(Tensor input, float[] p, Tensor output) => Flip(input, p, output);

    private protected override void ApplyBackward(CallContext ctx, Tensor gradOutput, float[] p, Tensor gradIn) => Flip(gradOutput, p, gradIn);

    private void Flip(Tensor src, float[] p, Tensor dst)
    {
        int h = InputShape![0], w = InputShape[1], c = InputShape[2];
        var s = src.Span;
        var d = dst.Span;
        for (int b = 0; b < src.BatchSize; b++)
        {
            bool lr = p[2 * b] != 0, ud = p[2 * b + 1] != 0;
            for (int y = 0; y < h; y++)
            {
                int sy = ud ? h - 1 - y : y;
                var srcRow = s.Slice(((b * h + sy) * w) * c, w * c);
                var dstRow = d.Slice(((b * h + y) * w) * c, w * c);
                if (!lr) { srcRow.CopyTo(dstRow); continue; }
                for (int x = 0; x < w; x++) srcRow.Slice((w - 1 - x) * c, c).CopyTo(dstRow.Slice(x * c, c));
            }
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["mode"] = Mode;
        c["seed"] = Seed;
        return c;
    }
}
