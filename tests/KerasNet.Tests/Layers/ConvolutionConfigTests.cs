using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Saving;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The convolution layers' configs: tf.keras 2.4's get_config text (fields, order, values; written here from Keras's
/// source), the round trip config -> registry -> config, Keras 1 and Keras 3 spellings, and the argument errors.
/// </summary>
public class ConvolutionConfigTests
{
    // Expected texts are written with ' for " (Q turns them into JSON) and glued with +, so that braces stay literal.
    private static string Q(string s) => s.Replace('\'', '"');
    private static readonly string Glorot = Q("{'class_name': 'GlorotUniform', 'config': {'seed': null}}");
    private static readonly string Zeros = Q("{'class_name': 'Zeros', 'config': {}}");
    private static readonly string Inits = Q("'kernel_initializer': ") + Glorot + Q(", 'bias_initializer': ") + Zeros +
        Q(", 'kernel_regularizer': null, 'bias_regularizer': null, 'activity_regularizer': null, 'kernel_constraint': null, 'bias_constraint': null");

    /// <summary>The labels of <see cref="Cases"/>.</summary>
    public static TheoryData<string> Expected()
    {
        var d = new TheoryData<string>();
        foreach (var c in Cases()) d.Add(c.Label);
        return d;
    }

    /// <summary>(label, layer, tf.keras 2.4's json.dumps text of its get_config()).</summary>
    private static IEnumerable<(string Label, Func<Layer> Make, string Text)> Cases()
    {
        static string Conv(string name, string rest) => Q("{'name': '" + name + "', 'trainable': true, 'dtype': 'float32', ") + rest + "}";
        yield return ("conv1d", () => new Conv1D(4, 3, strides: 2, padding: "causal", groups: 2, activation: "relu", name: "c1"),
            Conv("c1", Q("'filters': 4, 'kernel_size': [3], 'strides': [2], 'padding': 'causal', 'data_format': 'channels_last', 'dilation_rate': [1], 'groups': 2, 'activation': 'relu', 'use_bias': true, ") + Inits));
        yield return ("conv2d", () => new Conv2D(8, 3, padding: "same", dilationRate: 2, groups: 2, useBias: false, name: "c2"),
            Conv("c2", Q("'filters': 8, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': 'same', 'data_format': 'channels_last', 'dilation_rate': [2, 2], 'groups': 2, 'activation': 'linear', 'use_bias': false, ") + Inits));
        yield return ("conv2d_transpose", () => new Conv2DTranspose(3, 3, strides: 2, padding: "same", outputPadding: (1, 0), activation: "sigmoid", name: "t2"),
            Conv("t2", Q("'filters': 3, 'kernel_size': [3, 3], 'strides': [2, 2], 'padding': 'same', 'data_format': 'channels_last', 'dilation_rate': [1, 1], 'groups': 1, 'activation': 'sigmoid', 'use_bias': true, ") + Inits + Q(", 'output_padding': [1, 0]")));
        yield return ("conv1d_transpose", () => new Conv1DTranspose(2, 4, dilationRate: 2, name: "t1"),
            Conv("t1", Q("'filters': 2, 'kernel_size': [4], 'strides': [1], 'padding': 'valid', 'data_format': 'channels_last', 'dilation_rate': [2], 'groups': 1, 'activation': 'linear', 'use_bias': true, ") + Inits + Q(", 'output_padding': null")));
        yield return ("depthwise_conv2d", () => new DepthwiseConv2D((3, 2), strides: (2, 1), depthMultiplier: 2, useBias: false, depthwiseRegularizer: new L2(0.01), name: "dw"),
            Conv("dw", Q("'kernel_size': [3, 2], 'strides': [2, 1], 'padding': 'valid', 'data_format': 'channels_last', 'dilation_rate': [1, 1], 'groups': 1, 'activation': 'linear', 'use_bias': false, 'bias_initializer': ") + Zeros +
                Q(", 'bias_regularizer': null, 'activity_regularizer': null, 'bias_constraint': null, 'depth_multiplier': 2, 'depthwise_initializer': ") + Glorot +
                Q(", 'depthwise_regularizer': {'class_name': 'L2', 'config': {'l2': 0.009999999776482582}}, 'depthwise_constraint': null")));
        yield return ("separable_conv2d", () => new SeparableConv2D(16, 3, padding: "same", dilationRate: 2, pointwiseInitializer: new HeNormal(), pointwiseConstraint: new NonNeg(), name: "sep"),
            Conv("sep", Q("'filters': 16, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': 'same', 'data_format': 'channels_last', 'dilation_rate': [2, 2], 'groups': 1, 'activation': 'linear', 'use_bias': true, ") + Inits +
                Q(", 'depth_multiplier': 1, 'depthwise_initializer': ") + Glorot + Q(", 'pointwise_initializer': {'class_name': 'HeNormal', 'config': {'seed': null}}, 'depthwise_regularizer': null, 'pointwise_regularizer': null, 'depthwise_constraint': null, 'pointwise_constraint': {'class_name': 'NonNeg', 'config': {}}")));
        yield return ("separable_conv1d", () => new SeparableConv1D(5, 3, strides: 2, depthMultiplier: 3, activation: "tanh", name: "sep1"),
            Conv("sep1", Q("'filters': 5, 'kernel_size': [3], 'strides': [2], 'padding': 'valid', 'data_format': 'channels_last', 'dilation_rate': [1], 'groups': 1, 'activation': 'tanh', 'use_bias': true, ") + Inits +
                Q(", 'depth_multiplier': 3, 'depthwise_initializer': ") + Glorot + Q(", 'pointwise_initializer': ") + Glorot + Q(", 'depthwise_regularizer': null, 'pointwise_regularizer': null, 'depthwise_constraint': null, 'pointwise_constraint': null")));
    }

    private static Layer FromConfig(string className, string config) =>
        LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(config)!.AsObject(), className, "test"));

    [Theory]
    [MemberData(nameof(Expected))]
    public void GetConfigIsTfKeras24sTextAndReadsBack(string label)
    {
        var (_, make, text) = Cases().Single(c => c.Label == label);
        var layer = make();
        Assert.Equal(text, PyJson.Dumps(layer.GetConfig()));
        var back = FromConfig(layer.ClassName, text);
        Assert.Equal(layer.GetType(), back.GetType());
        Assert.Equal(text, PyJson.Dumps(back.GetConfig()));
    }

    [Fact]
    public void Keras1ConfigsAreRead()
    {
        var c1 = Assert.IsType<Conv1D>(FromConfig("Convolution1D", """{"name": "k1", "nb_filter": 6, "filter_length": 5, "init": "he_normal", "activation": "relu", "border_mode": "same", "subsample_length": 2, "W_regularizer": {"name": "L1L2Regularizer", "l1": 0.0, "l2": 0.01}, "b_regularizer": null, "bias": false, "input_dim": 3, "input_length": 20}"""));
        Assert.Equal((6, 5, 2, "same", false), (c1.Filters, c1.KernelSize, c1.Strides, c1.Padding, c1.UseBias));
        Assert.IsType<HeNormal>(c1.KernelInitializer);
        Assert.IsType<L1L2>(c1.KernelRegularizer);
        var a1 = Assert.IsType<Conv1D>(FromConfig("AtrousConvolution1D", """{"name": "a1", "nb_filter": 2, "filter_length": 3, "atrous_rate": 4, "border_mode": "valid"}"""));
        Assert.Equal((3, 4), (a1.KernelSize, a1.DilationRate));
        var a2 = Assert.IsType<Conv2D>(FromConfig("AtrousConvolution2D", """{"name": "a2", "nb_filter": 2, "nb_row": 3, "nb_col": 3, "atrous_rate": [2, 2], "dim_ordering": "tf"}"""));
        Assert.Equal(new Size2(2, 2), a2.DilationRate);
        var d = Assert.IsType<Conv2DTranspose>(FromConfig("Deconvolution2D", """{"name": "d", "nb_filter": 3, "nb_row": 3, "nb_col": 3, "output_shape": [null, 8, 8, 3], "border_mode": "same", "subsample": [2, 2], "dim_ordering": "tf", "activation": "linear"}"""));
        Assert.Equal((3, new Size2(3, 3), new Size2(2, 2), "same"), (d.Filters, d.KernelSize, d.Strides, d.Padding));
        d.Build([4, 4, 5]);
        Assert.Equal([8, 8, 3], d.OutputShape!);
        var bad = Assert.IsType<Conv2DTranspose>(FromConfig("Deconvolution2D", """{"name": "d2", "nb_filter": 3, "nb_row": 3, "nb_col": 3, "output_shape": [null, 10, 10, 3], "border_mode": "valid", "subsample": [2, 2]}"""));
        var e = Assert.ThrowsAny<KerasNetException>(() => bad.Build([4, 4, 5]));
        Assert.Contains("Keras 1's output_shape (10, 10)", e.Message);
        var s = Assert.IsType<SeparableConv2D>(FromConfig("SeparableConvolution2D", """{"name": "s", "nb_filter": 8, "nb_row": 3, "nb_col": 3, "init": "he_uniform", "border_mode": "same", "subsample": [1, 1], "depth_multiplier": 2, "dim_ordering": "tf", "depthwise_regularizer": null, "pointwise_regularizer": {"name": "L1L2Regularizer", "l1": 0.0, "l2": 0.01}, "b_regularizer": null, "bias": true}"""));
        Assert.Equal((8, 2, "same"), (s.Filters, s.DepthMultiplier, s.Padding));
        Assert.IsType<HeUniform>(s.DepthwiseInitializer);
        Assert.IsType<HeUniform>(s.PointwiseInitializer);
        Assert.IsType<L1L2>(s.PointwiseRegularizer);
    }

    [Fact]
    public void Keras3ConfigsAreRead()
    {
        string k3Glorot = Q("{'module': 'keras.initializers', 'class_name': 'GlorotUniform', 'config': {'seed': null}, 'registered_name': null}");
        var dw = Assert.IsType<DepthwiseConv2D>(FromConfig("DepthwiseConv2D", Q("{'name': 'dw', 'trainable': true, 'dtype': {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': null}, 'depth_multiplier': 3, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': 'same', 'data_format': 'channels_last', 'dilation_rate': [2, 2], 'activation': 'relu', 'use_bias': true, 'depthwise_initializer': ") + k3Glorot +
            Q(", 'bias_initializer': {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {}, 'registered_name': null}, 'depthwise_regularizer': {'module': 'keras.regularizers', 'class_name': 'L2', 'config': {'l2': 0.001}, 'registered_name': null}, 'bias_regularizer': null, 'activity_regularizer': null, 'depthwise_constraint': null, 'bias_constraint': null}")));
        Assert.Equal((3, new Size2(2, 2), "same"), (dw.DepthMultiplier, dw.DilationRate, dw.Padding));
        Assert.IsType<L2>(dw.DepthwiseRegularizer);
        var t = Assert.IsType<Conv1DTranspose>(FromConfig("Conv1DTranspose", Q("{'name': 't', 'filters': 4, 'kernel_size': [3], 'strides': [2], 'padding': 'same', 'output_padding': [1], 'data_format': 'channels_last', 'dilation_rate': [1], 'activation': 'linear', 'use_bias': false, 'kernel_initializer': ") + k3Glorot + "}"));
        Assert.Equal((4, 3, 2, 1, false), (t.Filters, t.KernelSize, t.Strides, t.OutputPadding, t.UseBias));
        var s = Assert.IsType<SeparableConv1D>(FromConfig("SeparableConv1D", Q("{'name': 's', 'depth_multiplier': 2, 'filters': 3, 'kernel_size': 5, 'strides': 1, 'padding': 'causal', 'data_format': 'channels_last', 'dilation_rate': 2, 'activation': 'tanh', 'use_bias': true, 'depthwise_initializer': ") + k3Glorot +
            Q(", 'pointwise_initializer': {'module': 'keras.initializers', 'class_name': 'HeNormal', 'config': {'seed': 3}, 'registered_name': null}}")));
        Assert.Equal((3, 5, 2, 2, "causal"), (s.Filters, s.KernelSize, s.DepthMultiplier, s.DilationRate, s.Padding));
        Assert.IsType<HeNormal>(s.PointwiseInitializer);
    }

    private static string Error(Action a) => Assert.ThrowsAny<KerasNetException>(a).Message;

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        Assert.Contains("Conv1D: filters must be positive", Error(() => new Conv1D(0, 3)));
        Assert.Contains("Conv1D: kernel_size must be positive, got (0,)", Error(() => new Conv1D(2, 0)));
        Assert.Contains("Conv1D: padding must be 'valid', 'same' or 'causal', got 'full'", Error(() => new Conv1D(2, 3, padding: "full")));
        Assert.Contains("Conv2D: padding must be 'valid' or 'same', got 'causal'", Error(() => new Conv2D(2, 3, padding: "causal")));
        Assert.Contains("Conv2D: strides > 1 are not supported together with dilation_rate > 1", Error(() => new Conv2D(2, 3, strides: 2, dilationRate: 2)));
        Assert.Contains("Conv2D: dilation_rate must be positive", Error(() => new Conv2D(2, 3, dilationRate: (0, 1))));
        Assert.Contains("Conv2D: the number of filters must be evenly divisible by the number of groups; got groups=3, filters=4", Error(() => new Conv2D(4, 3, groups: 3)));
        Assert.Contains("Conv2D: groups must be a positive integer", Error(() => new Conv2D(4, 3, groups: 0)));
        var m = Error(() => new Conv2D(4, 3, groups: 2, name: "g").Build([5, 5, 3]));
        Assert.Contains("Layer 'g' (Conv2D): the number of input channels must be evenly divisible by the number of groups; got groups=2, but the input has 3 channels", m);
        Assert.Contains("Layer 'big' (Conv2D): the output would be empty", Error(() => new Conv2D(2, 3, dilationRate: 2, name: "big").Build([4, 9, 1])));
        Assert.Contains("Layer 'c1' (Conv1D) expects 2-D samples (steps, channels)", Error(() => new Conv1D(2, 3, name: "c1").Build([4, 4, 1])));
        Assert.Contains("Conv2DTranspose: output_padding must be smaller than strides; got output_padding=(2, 0), strides=(2, 2)",
            Error(() => new Conv2DTranspose(2, 3, strides: 2, outputPadding: (2, 0))));
        Assert.Contains("Conv1DTranspose: output_padding must be smaller than strides", Error(() => new Conv1DTranspose(2, 3, outputPadding: 1)));
        Assert.Contains("Layer 'tt' (Conv2DTranspose): TensorFlow rejects this transposed convolution",
            Error(() => new Conv2DTranspose(2, 2, strides: 2, padding: "same", outputPadding: 0, name: "tt").Build([4, 4, 1])));
        Assert.Contains("DepthwiseConv2D: depth_multiplier must be positive", Error(() => new DepthwiseConv2D(3, depthMultiplier: 0)));
        Assert.Contains("SeparableConv2D: filters must be positive", Error(() => new SeparableConv2D(0, 3)));
        Assert.Contains("SeparableConv1D: depth_multiplier must be positive", Error(() => new SeparableConv1D(2, 3, depthMultiplier: -1)));
        Assert.Contains("DepthwiseConv2D: data_format must be 'channels_last' or 'channels_first'", Error(() => new DepthwiseConv2D(3, dataFormat: "nhwc")));
        var reg = Assert.Throws<ModelConfigException>(() => FromConfig("Conv1D", """{"name": "bad", "filters": 2, "kernel_size": [3, 3]}"""));
        Assert.Contains("layer 'bad' (Conv1D): field 'kernel_size' should have 1 value", reg.Message);
    }
}
