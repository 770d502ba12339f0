using System.Reflection;
using KerasNet.Saving;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Every Keras layer class KerasNet registers, with the independent oracles that check it and the test classes where
/// they do. The test fails when a registered class has no row, or a row names a test class that does not exist, so the
/// table stays true as layers are added (issue 11's "a test table lists every layer class with the oracle").
/// </summary>
public sealed class LayerOracleTable
{
    // torch = PyTorch float64 forward and gradients (plus finite differences); tfjs = tfjs-layers predictions and
    // weights after one SGD step; numpy/scipy = transcriptions of Keras's or TensorFlow's formulas; keras = printed Keras
    // text or real Keras files.
    internal static readonly Dictionary<string, (string Oracles, string[] Tests)> Table = new()
    {
        ["InputLayer"] = ("tfjs, keras", ["GraphTfjsTests", "FunctionalSummaryTests"]),
        ["Dense"] = ("torch, tfjs, onnx, keras", ["LayerGradientTests", "GraphTfjsTests", "OnnxOracleTests"]),
        ["Activation"] = ("torch, tfjs", ["ActivationTests", "LayerGradientTests"]),
        ["Dropout"] = ("statistics, torch", ["DropoutTests", "NoiseTests"]),
        ["Flatten"] = ("torch, tfjs", ["LayerGradientTests", "ReshapingTests"]),
        ["Conv2D"] = ("torch, tfjs, onnx", ["LayerGradientTests", "ConvolutionTests", "ConvolutionTfjsTests", "OnnxOracleTests"]),
        ["Conv1D"] = ("torch, tfjs", ["ConvolutionTests", "ConvolutionTfjsTests"]),
        ["Conv1DTranspose"] = ("torch", ["ConvolutionTests", "ConvolutionModelTests"]),
        ["Conv2DTranspose"] = ("torch, tfjs", ["ConvolutionTests", "ConvolutionTfjsTests"]),
        ["DepthwiseConv2D"] = ("torch, tfjs", ["ConvolutionTests", "ConvolutionTfjsTests"]),
        ["SeparableConv1D"] = ("torch", ["ConvolutionTests", "ConvolutionModelTests"]),
        ["SeparableConv2D"] = ("torch, tfjs", ["ConvolutionTests", "ConvolutionTfjsTests"]),
        ["MaxPooling1D"] = ("torch, tfjs", ["PoolingTests"]),
        ["AveragePooling1D"] = ("torch, tfjs", ["PoolingTests"]),
        ["MaxPooling2D"] = ("torch, tfjs, onnx", ["LayerGradientTests", "PoolingTests", "OnnxOracleTests"]),
        ["AveragePooling2D"] = ("torch, tfjs", ["LayerGradientTests", "PoolingTests"]),
        ["GlobalAveragePooling1D"] = ("torch, tfjs", ["PoolingTests", "EmbeddingMaskingTests"]),
        ["GlobalMaxPooling1D"] = ("torch, tfjs", ["PoolingTests"]),
        ["GlobalAveragePooling2D"] = ("torch, tfjs, keras", ["PoolingTests", "FunctionalSummaryTests"]),
        ["GlobalMaxPooling2D"] = ("torch, tfjs", ["PoolingTests"]),
        ["BatchNormalization"] = ("torch, numpy, tfjs", ["NormalizationTests", "NormalizationModelTests"]),
        ["LayerNormalization"] = ("torch, tfjs", ["NormalizationTests", "NormalizationModelTests"]),
        ["UnitNormalization"] = ("torch", ["NormalizationTests"]),
        ["Reshape"] = ("torch, tfjs", ["ReshapingTests", "ReshapingModelTests"]),
        ["Permute"] = ("torch, tfjs", ["ReshapingTests", "ReshapingModelTests"]),
        ["RepeatVector"] = ("torch, tfjs", ["ReshapingTests", "ReshapingModelTests"]),
        ["ZeroPadding1D"] = ("torch", ["ReshapingTests"]),
        ["ZeroPadding2D"] = ("torch, tfjs", ["ReshapingTests", "ReshapingModelTests"]),
        ["Cropping1D"] = ("torch", ["ReshapingTests"]),
        ["Cropping2D"] = ("torch, tfjs", ["ReshapingTests", "ReshapingModelTests"]),
        ["UpSampling1D"] = ("torch", ["ReshapingTests"]),
        ["UpSampling2D"] = ("torch, tfjs", ["ReshapingTests", "ReshapingModelTests"]),
        ["ReLU"] = ("torch, tfjs", ["ActivationLayerTests"]),
        ["LeakyReLU"] = ("torch, tfjs", ["ActivationLayerTests"]),
        ["PReLU"] = ("torch, tfjs", ["ActivationLayerTests"]),
        ["ELU"] = ("torch, tfjs", ["ActivationLayerTests"]),
        ["ThresholdedReLU"] = ("torch, tfjs (predictions)", ["ActivationLayerTests"]),
        ["Softmax"] = ("torch, tfjs", ["ActivationLayerTests"]),
        ["SpatialDropout1D"] = ("statistics, tfjs (inference)", ["NoiseTests"]),
        ["SpatialDropout2D"] = ("statistics", ["NoiseTests"]),
        ["SpatialDropout3D"] = ("statistics", ["NoiseTests"]),
        ["GaussianNoise"] = ("statistics, tfjs (inference)", ["NoiseTests"]),
        ["GaussianDropout"] = ("statistics, tfjs (inference)", ["NoiseTests"]),
        ["AlphaDropout"] = ("statistics, tfjs (inference)", ["NoiseTests"]),
        ["ActivityRegularization"] = ("torch", ["RegularizationTrainingTests", "RegularizationFormulaTests"]),
        ["Rescaling"] = ("numpy, tfjs", ["PreprocessingLayerTests", "PreprocessingModelTests"]),
        ["Resizing"] = ("numpy, torch, tfjs-core", ["PreprocessingLayerTests"]),
        ["CenterCrop"] = ("numpy, torch, tfjs", ["PreprocessingLayerTests", "PreprocessingModelTests"]),
        ["Normalization"] = ("numpy", ["PreprocessingLayerTests"]),
        ["RandomFlip"] = ("numpy", ["PreprocessingLayerTests"]),
        ["RandomRotation"] = ("numpy, scipy, tfjs-core", ["PreprocessingLayerTests"]),
        ["RandomZoom"] = ("numpy, scipy, tfjs-core", ["PreprocessingLayerTests"]),
        ["RandomTranslation"] = ("numpy, scipy, tfjs-core", ["PreprocessingLayerTests"]),
        ["RandomContrast"] = ("torch", ["PreprocessingLayerTests"]),
        ["Add"] = ("torch, tfjs", ["MergeLayerTests", "MergeModelTests"]),
        ["Subtract"] = ("torch", ["MergeLayerTests", "MergeModelTests"]),
        ["Multiply"] = ("torch, tfjs", ["MergeLayerTests", "MergeModelTests"]),
        ["Average"] = ("torch, tfjs", ["MergeLayerTests", "MergeModelTests"]),
        ["Maximum"] = ("torch, tfjs", ["MergeLayerTests", "MergeModelTests"]),
        ["Minimum"] = ("torch, tfjs", ["MergeLayerTests", "MergeModelTests"]),
        ["Concatenate"] = ("torch, tfjs", ["MergeLayerTests", "MergeModelTests"]),
        ["Dot"] = ("torch, tfjs", ["MergeLayerTests", "MergeModelTests"]),
        ["Embedding"] = ("torch, tfjs", ["EmbeddingMaskingTests"]),
        ["Masking"] = ("torch, tfjs", ["EmbeddingMaskingTests"]),
        ["TimeDistributed"] = ("torch, tfjs", ["TimeDistributedTests"]),
        ["SimpleRNN"] = ("torch, tfjs", ["RnnTests", "RnnModelTests"]),
        ["LSTM"] = ("torch (nn.LSTM), tfjs, h5py (Keras 1, CuDNN)", ["RnnTests", "RnnModelTests", "RnnOptionTests"]),
        ["GRU"] = ("torch (nn.GRU), tfjs, h5py (Keras 1, CuDNN)", ["RnnTests", "RnnModelTests", "RnnOptionTests"]),
        ["Bidirectional"] = ("torch, tfjs, h5py", ["RnnTests", "RnnModelTests"]),
    };

    private static IEnumerable<string> RegisteredClasses() =>
        typeof(KerasLayerAttribute).Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<KerasLayerAttribute>())
            .Where(a => a != null)
            .Select(a => a!.ClassNames[0])
            .Distinct();

    [Fact]
    public void EveryRegisteredLayerClassHasARowNamingItsOracles()
    {
        var missing = RegisteredClasses().Where(c => !Table.ContainsKey(c)).OrderBy(c => c).ToList();
        Assert.True(missing.Count == 0, "layer classes without an oracle row: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryRowNamesTestClassesThatExistAndALayerThatIsRegistered()
    {
        var testClasses = typeof(LayerOracleTable).Assembly.GetTypes().Select(t => t.Name).ToHashSet();
        var registered = RegisteredClasses().ToHashSet();
        foreach (var (cls, (oracles, tests)) in Table)
        {
            // InputLayer is read by the model loaders themselves, not through the registry.
            Assert.True(cls == "InputLayer" || registered.Contains(cls) || LayerRegistry.ClassNames.Contains(cls), $"row '{cls}' is not a registered layer class");
            Assert.False(string.IsNullOrWhiteSpace(oracles), cls);
            foreach (var t in tests) Assert.True(testClasses.Contains(t), $"row '{cls}' names test class '{t}', which does not exist");
        }
    }
}
