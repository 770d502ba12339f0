#nullable enable
using System.Globalization;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Applications;

/// <summary>Keras's applications: ready-made networks with tf.keras 2.4's layer names and structure.</summary>
public static partial class Applications
{
    /// <summary>
    /// MobileNetV2 as <c>tf.keras.applications.MobileNetV2</c> (tf.keras 2.4): same layers, names and order, so
    /// its weight files load by structure. <paramref name="weights"/>: null (random) or a weights file path
    /// ("imagenet" is refused: nothing is downloaded). <paramref name="pooling"/>: null, "avg" or "max" (only
    /// without the top). <paramref name="inputShape"/> defaults to (224, 224, 3).
    /// </summary>
    /// <param name="inputShape">One image (height, width, channels), channels last; null is (224, 224, 3).</param>
    /// <param name="alpha">Width multiplier (Keras's <c>alpha</c>, default 1.0): the filters of every layer scale by it (0.35, 0.5, 0.75, 1.0, 1.3 and 1.4 are Keras's pretrained sizes; any positive value builds).</param>
    /// <param name="includeTop">Whether the classifier (global pooling and a Dense of <paramref name="classes"/>) ends the model (Keras default true).</param>
    /// <param name="weights">null (Keras's <c>weights=None</c>: random initialisation) or the path of a Keras weights
    /// file of this architecture. Keras's default, <c>"imagenet"</c>, is refused because nothing is downloaded.</param>
    /// <param name="pooling">Without the top: null (the last feature map), "avg" (global average pooling) or "max"
    /// (global max pooling). Keras's default: null (<c>None</c>).</param>
    /// <param name="classes">Number of classes of the top classifier (Keras default 1000); only with includeTop.</param>
    /// <param name="classifierActivation">Activation of the top Dense: "softmax" (Keras's default) or null/"linear" for logits.</param>
    /// <returns>The uncompiled Functional model (named <c>mobilenetv2_1.00_224</c> for the default alpha and size, as
    /// Keras names it).</returns>
    public static Model MobileNetV2(Shape? inputShape = null, double alpha = 1.0, bool includeTop = true,
        string? weights = null, string? pooling = null, int classes = 1000, string? classifierActivation = "softmax")
    {
        var (rows, cols, channels) = ApplicationArgs.Check("MobileNetV2", inputShape, weights, pooling, includeTop, classes);
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new KerasNetException($"MobileNetV2: alpha must be positive, got {alpha}.");
        var input = Keras.Input((rows, cols, channels));
        var x = new Conv2D(MakeDivisible(32 * alpha, 8), (3, 3), strides: (2, 2), padding: "same", useBias: false, name: "Conv1").Apply(input);
        x = MobileNetBn("bn_Conv1").Apply(x);
        x = new ReLU(6.0, name: "Conv1_relu").Apply(x);

        // (filters, stride, expansion) of blocks 0..16, as mobilenet_v2.py lists them.
        (int Filters, int Stride, int Expansion)[] blocks =
        [
            (16, 1, 1),
            (24, 2, 6), (24, 1, 6),
            (32, 2, 6), (32, 1, 6), (32, 1, 6),
            (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
            (96, 1, 6), (96, 1, 6), (96, 1, 6),
            (160, 2, 6), (160, 1, 6), (160, 1, 6),
            (320, 1, 6),
        ];
        for (int id = 0; id < blocks.Length; id++)
            x = InvertedResBlock(x, blocks[id].Expansion, blocks[id].Stride, alpha, blocks[id].Filters, id);

        // No narrowing of the last convolution below alpha 1 (the paper's choice, kept by Keras).
        int lastFilters = alpha > 1.0 ? MakeDivisible(1280 * alpha, 8) : 1280;
        x = new Conv2D(lastFilters, (1, 1), useBias: false, name: "Conv_1").Apply(x);
        x = MobileNetBn("Conv_1_bn").Apply(x);
        x = new ReLU(6.0, name: "out_relu").Apply(x);
        x = ApplicationArgs.Top(x, includeTop, pooling, classes, classifierActivation, avgName: null, maxName: null);
        string name = string.Format(CultureInfo.InvariantCulture, "mobilenetv2_{0:0.00}_{1}", alpha, rows);
        return ApplicationArgs.Finish(new Model(input, x, name), weights);
    }

    private static KerasTensor InvertedResBlock(KerasTensor inputs, int expansion, int stride, double alpha, int filters, int blockId)
    {
        int inChannels = inputs.Shape[^1];
        int pointwiseFilters = MakeDivisible((int)(filters * alpha), 8);
        var x = inputs;
        string prefix = $"block_{blockId}_";
        if (blockId != 0)
        {
            x = new Conv2D(expansion * inChannels, (1, 1), padding: "same", useBias: false, name: prefix + "expand").Apply(x);
            x = MobileNetBn(prefix + "expand_BN").Apply(x);
            x = new ReLU(6.0, name: prefix + "expand_relu").Apply(x);
        }
        else prefix = "expanded_conv_";
        if (stride == 2) x = new ZeroPadding2D(CorrectPad(x, 3), name: prefix + "pad").Apply(x);
        x = new DepthwiseConv2D((3, 3), strides: (stride, stride), useBias: false, padding: stride == 1 ? "same" : "valid",
            name: prefix + "depthwise").Apply(x);
        x = MobileNetBn(prefix + "depthwise_BN").Apply(x);
        x = new ReLU(6.0, name: prefix + "depthwise_relu").Apply(x);
        x = new Conv2D(pointwiseFilters, (1, 1), padding: "same", useBias: false, name: prefix + "project").Apply(x);
        x = MobileNetBn(prefix + "project_BN").Apply(x);
        return inChannels == pointwiseFilters && stride == 1 ? new Add(name: prefix + "add").Apply(inputs, x) : x;
    }

    private static BatchNormalization MobileNetBn(string name) => new(axis: -1, momentum: 0.999, epsilon: 1e-3, name: name);

    /// <summary>Keras's _make_divisible: the nearest multiple of <paramref name="divisor"/>, never 10% below <paramref name="v"/>.</summary>
    internal static int MakeDivisible(double v, int divisor)
    {
        int newV = Math.Max(divisor, (int)(v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) newV += divisor;
        return newV;
    }

    /// <summary>imagenet_utils.correct_pad: the zero padding a stride-2 'valid' convolution needs to act as 'same'.</summary>
    internal static Margins2D CorrectPad(KerasTensor x, int kernel)
    {
        int h = x.Shape[0], w = x.Shape[1];
        int adjustH = 1 - h % 2, adjustW = 1 - w % 2, c = kernel / 2;
        return ((c - adjustH, c), (c - adjustW, c));
    }
}
