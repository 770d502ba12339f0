#nullable enable
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Applications;

public static partial class Applications
{
    /// <summary>
    /// ResNet50 as <c>tf.keras.applications.ResNet50</c> (tf.keras 2.4 resnet.py, v1 with biased convolutions):
    /// same layers, names and order. Arguments as in <see cref="MobileNetV2"/>; the pooling layers are named
    /// 'avg_pool' / 'max_pool'.
    /// </summary>
    /// <param name="includeTop">Whether the classifier (global pooling and a Dense of <paramref name="classes"/>) ends the model (Keras default true).</param>
    /// <param name="weights">null (Keras's <c>weights=None</c>: random initialisation) or the path of a Keras weights
    /// file of this architecture. Keras's default, <c>"imagenet"</c>, is refused because nothing is downloaded.</param>
    /// <param name="inputShape">One image (height, width, channels), channels last; null is (224, 224, 3).</param>
    /// <param name="pooling">Without the top: null (the last feature map), "avg" (global average pooling) or "max"
    /// (global max pooling). Keras's default: null (<c>None</c>).</param>
    /// <param name="classes">Number of classes of the top classifier (Keras default 1000); only with includeTop.</param>
    /// <param name="classifierActivation">Activation of the top Dense: "softmax" (Keras's default) or null/"linear" for logits.</param>
    /// <returns>The uncompiled Functional model, named <c>resnet50</c> as in Keras.</returns>
    public static Model ResNet50(bool includeTop = true, string? weights = null, Shape? inputShape = null,
        string? pooling = null, int classes = 1000, string? classifierActivation = "softmax")
    {
        var (rows, cols, channels) = ApplicationArgs.Check("ResNet50", inputShape, weights, pooling, includeTop, classes);
        var input = Keras.Input((rows, cols, channels));
        var x = new ZeroPadding2D(((3, 3), (3, 3)), name: "conv1_pad").Apply(input);
        x = new Conv2D(64, (7, 7), strides: (2, 2), useBias: true, name: "conv1_conv").Apply(x);
        x = ResNetBn("conv1_bn").Apply(x);
        x = new Activation("relu", name: "conv1_relu").Apply(x);
        x = new ZeroPadding2D(((1, 1), (1, 1)), name: "pool1_pad").Apply(x);
        x = new MaxPooling2D((3, 3), strides: (2, 2), name: "pool1_pool").Apply(x);

        x = Stack1(x, 64, 3, stride1: 1, "conv2");
        x = Stack1(x, 128, 4, stride1: 2, "conv3");
        x = Stack1(x, 256, 6, stride1: 2, "conv4");
        x = Stack1(x, 512, 3, stride1: 2, "conv5");
        x = ApplicationArgs.Top(x, includeTop, pooling, classes, classifierActivation, avgName: "avg_pool", maxName: "max_pool");
        return ApplicationArgs.Finish(new Model(input, x, "resnet50"), weights);
    }

    private static KerasTensor Stack1(KerasTensor x, int filters, int blocks, int stride1, string name)
    {
        x = Block1(x, filters, stride1, convShortcut: true, name + "_block1");
        for (int i = 2; i <= blocks; i++) x = Block1(x, filters, 1, convShortcut: false, name + "_block" + i);
        return x;
    }

    private static KerasTensor Block1(KerasTensor x, int filters, int stride, bool convShortcut, string name)
    {
        var shortcut = x;
        if (convShortcut)
        {
            shortcut = new Conv2D(4 * filters, (1, 1), strides: (stride, stride), name: name + "_0_conv").Apply(x);
            shortcut = ResNetBn(name + "_0_bn").Apply(shortcut);
        }
        x = new Conv2D(filters, (1, 1), strides: (stride, stride), name: name + "_1_conv").Apply(x);
        x = ResNetBn(name + "_1_bn").Apply(x);
        x = new Activation("relu", name: name + "_1_relu").Apply(x);
        x = new Conv2D(filters, (3, 3), padding: "same", name: name + "_2_conv").Apply(x);
        x = ResNetBn(name + "_2_bn").Apply(x);
        x = new Activation("relu", name: name + "_2_relu").Apply(x);
        x = new Conv2D(4 * filters, (1, 1), name: name + "_3_conv").Apply(x);
        x = ResNetBn(name + "_3_bn").Apply(x);
        x = new Add(name: name + "_add").Apply(shortcut, x);
        return new Activation("relu", name: name + "_out").Apply(x);
    }

    private static BatchNormalization ResNetBn(string name) => new(axis: 3, epsilon: 1.001e-5, name: name);
}
