using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Each convolution layer tfjs-layers has (Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D) in a
/// small Sequential (the layer, Flatten, Dense(2)) against tfjs, an independent Keras reading KerasNet's own
/// to_json(): predictions, the loss and every weight after one full-batch SGD step (mse). tfjs has no groups,
/// Conv1DTranspose or SeparableConv1D, and its Conv2DTranspose and DepthwiseConv2D ignore dilation_rate (and
/// Conv2DTranspose output_padding): those are checked against PyTorch in <see cref="ConvolutionTests"/>. tfjs has no
/// gradient for dilated convolutions, so dilated models are compared on predictions only; tfjs 4.22 does not
/// implement 'causal' padding ("not implemented yet" in conv1dWithBias), which only PyTorch checks.
/// </summary>
public class ConvolutionTfjsTests
{
    private const double PredictTol = 2e-5, WeightTol = 5e-6;

    public static TheoryData<string> Models() => new()
    {
        "conv1d valid dilated", "conv1d same strided", "conv2d same dilated", "conv2dtranspose same strided",
        "conv2dtranspose valid strided", "depthwise same strided multiplier", "depthwise valid", "separable same multiplier",
        "separable valid strided", "separable dilated",
    };

    private static (Layer Layer, int[] Input) Make(string which) => which switch
    {
        "conv1d valid dilated" => (new Conv1D(3, 3, dilationRate: 2, activation: "tanh", name: "conv"), [9, 2]),
        "conv1d same strided" => (new Conv1D(4, 4, strides: 2, padding: "same", activation: "relu", name: "conv"), [9, 3]),
        "conv2d same dilated" => (new Conv2D(3, (3, 2), padding: "same", dilationRate: (2, 1), activation: "sigmoid", name: "conv"), [7, 6, 2]),
        "conv2dtranspose same strided" => (new Conv2DTranspose(2, 3, strides: 2, padding: "same", activation: "tanh", name: "conv"), [3, 4, 3]),
        "conv2dtranspose valid strided" => (new Conv2DTranspose(3, (2, 3), strides: (2, 2), name: "conv"), [3, 3, 2]),
        "depthwise same strided multiplier" => (new DepthwiseConv2D(3, strides: 2, padding: "same", depthMultiplier: 2, activation: "tanh", name: "conv"), [7, 6, 3]),
        "depthwise valid" => (new DepthwiseConv2D((3, 2), activation: "relu", name: "conv"), [6, 5, 18]),
        "separable same multiplier" => (new SeparableConv2D(4, 3, padding: "same", depthMultiplier: 2, activation: "tanh", name: "conv"), [6, 5, 3]),
        "separable valid strided" => (new SeparableConv2D(3, 3, strides: 2, useBias: false, name: "conv"), [7, 7, 2]),
        "separable dilated" => (new SeparableConv2D(2, 3, padding: "same", dilationRate: 2, name: "conv"), [7, 6, 2]),
        _ => throw new ArgumentException(which),
    };

    /// <summary>
    /// KerasNet's to_json for tfjs: tf.keras 2.4 writes Conv's default kernel_* fields into SeparableConv2D configs,
    /// which tfjs 4.22 refuses ("Fields kernelInitializer, kernelRegularizer and kernelConstraint are invalid for
    /// SeparableConv2D", tensorflow/tfjs#4479), so they are dropped from the copy sent to tfjs.
    /// </summary>
    private static string ForTfjs(string json)
    {
        var root = JsonNode.Parse(json)!;
        foreach (var layer in root["config"]!["layers"]!.AsArray())
            if (layer!["class_name"]!.GetValue<string>() == "SeparableConv2D")
                foreach (var f in new[] { "kernel_initializer", "kernel_regularizer", "kernel_constraint" }) layer["config"]!.AsObject().Remove(f);
        return root.ToJsonString();
    }

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void PredictionsAndOneSgdStepMatchTfjs(string which)
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var (layer, input) = Make(which);
        bool train = !which.Contains("dilated");
        var m = new Sequential([new InputLayer(input, name: "x"), layer, new Flatten(name: "flatten"), new Dense(2, name: "head")], name: "model");
        SetRandomWeights(m, 11);
        var names = m.Weights.Select(w => $"{w.LayerName}/{w.Name}").ToArray();
        var r = new Random(12);
        const int n = 5;
        var x = Rand(r, -1, 1, [n, .. input]);
        var y = Rand(r, -1, 1, n, 2);
        var tfjs = train
            ? TfjsGraphOracle.Run(ForTfjs(m.ToJson()), WeightsInOrder(m, names), [O(x)], [O(y)], ["mean_squared_error"], sgdLr: 0.1)
            : TfjsGraphOracle.Run(ForTfjs(m.ToJson()), WeightsInOrder(m, names), [O(x)]);
        Assert.Equal(names, tfjs.WeightNames);

        var pred = m.PredictOnBatch(x)[0];
        Assert.Equal(tfjs.Outputs[0].Shape, pred.Shape);
        Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), pred.Span, PredictTol, which + " prediction");
        if (!train) return;

        m.Compile(new SGD(0.1), "mean_squared_error");
        var logs = m.TrainOnBatch(new Batch(x, y));
        Assert.Equal(tfjs.Loss!.Value, logs[0], 1e-5);
        for (int i = 0; i < names.Length; i++)
            Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), Var(m, names[i]).Value.Span, WeightTol, $"{which}: {names[i]} after one SGD step");
    }
}
