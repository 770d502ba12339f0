#nullable enable
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.Layers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>
/// Keras 1 Sequential configs whose first layer declares its input with its own arguments and no batch_input_shape:
/// Keras 1's constructors made <c>LSTM(input_dim=F, input_length=T)</c> (any recurrent layer, Convolution1D) an
/// input_shape of (T, F), <c>Dense(input_dim=F)</c> (F,) and <c>Embedding(input_length=T)</c> (T,). Hand-written
/// configs check the shapes; h5py-written Keras 1.2 full-model files (Oracles/keras1_input_dim_h5.py) check that
/// such files load and predict what numpy computes from their weights.
/// </summary>
public class Keras1InputShapeTests
{
    private static string Keras1(string layers) => $$"""{"class_name": "Sequential", "config": [{{layers}}], "keras_version": "1.2.2"}""";

    private const string Lstm = """
        {"class_name": "LSTM", "config": {"name": "lstm_1", "output_dim": 4, "inner_activation": "hard_sigmoid",
         "return_sequences": false, "consume_less": "cpu", "input_dim": 3, "input_length": 5}}
        """;

    private const string Dense = """{"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 2, "activation": "linear", "input_dim": null}}""";

    [Fact]
    public void RecurrentLayerInputDimAndLengthGiveTheSequenceShape()
    {
        var m = Keras.ModelFromJson(Keras1(Lstm + "," + Dense));
        Assert.Equal([5, 3], m.InputShape!);
        Assert.Equal([2], m.OutputShape!);
        Assert.Equal([3, 16], m.Layers[0].Weights[0].Shape);
        foreach (var cls in new[] { "GRU", "SimpleRNN" })
        {
            var rnn = Keras.ModelFromJson(Keras1(Lstm.Replace("\"LSTM\"", $"\"{cls}\"") + "," + Dense));
            Assert.Equal([5, 3], rnn.InputShape!);
            Assert.Equal(cls, rnn.Layers[0].ClassName);
        }
    }

    [Fact]
    public void Convolution1DInputDimAndLengthGiveTheSequenceShape()
    {
        var m = Keras.ModelFromJson(Keras1("""
            {"class_name": "Convolution1D", "config": {"name": "convolution1d_1", "nb_filter": 6, "filter_length": 3,
             "border_mode": "valid", "subsample_length": 1, "activation": "relu", "input_dim": 4, "input_length": 9}}
            """));
        Assert.Equal([9, 4], m.InputShape!);
        Assert.Equal([7, 6], m.OutputShape!);
    }

    [Fact]
    public void EmbeddingInputLengthAndDenseInputDimGiveTheirShapes()
    {
        var e = Keras.ModelFromJson(Keras1("""
            {"class_name": "Embedding", "config": {"name": "embedding_1", "input_dim": 10, "output_dim": 4, "input_length": 7,
             "mask_zero": true, "init": "uniform", "input_dtype": "int32"}},
            {"class_name": "LSTM", "config": {"name": "lstm_1", "output_dim": 3, "input_dim": null, "input_length": null}}
            """));
        Assert.Equal([7], e.InputShape!); // input_dim 10 is the vocabulary, not a shape
        Assert.Equal([10, 4], e.Layers[0].Weights[0].Shape);
        Assert.Equal([3], e.OutputShape!);
        var d = Keras.ModelFromJson(Keras1("""{"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 2, "input_dim": 6}}"""));
        Assert.Equal([6], d.InputShape!);
    }

    [Fact]
    public void InputDimWithoutInputLengthIsRefusedNamingTheLayer()
    {
        var e = Assert.ThrowsAny<KerasNetException>(() => Keras.ModelFromJson(Keras1(Lstm.Replace("\"input_length\": 5", "\"input_length\": null"))));
        Assert.Contains("lstm_1", e.Message);
        Assert.Contains("input_length", e.Message);
        // batch_input_shape still wins over the Keras 1 arguments.
        var m = Keras.ModelFromJson(Keras1(Lstm.Replace("\"input_dim\": 3", "\"batch_input_shape\": [null, 8, 3], \"input_dim\": 3")));
        Assert.Equal([8, 3], m.InputShape!);
    }

    [SkippableFact]
    public void Keras1FilesWithInputDimOnlyLoadAndPredictAsNumpy()
    {
        Oracle.RequirePython("numpy", "h5py");
        var dir = Oracle.TempDir();
        Oracle.RunPythonScript("keras1_input_dim_h5.py", dir);
        foreach (var (name, shape) in new[] { ("lstm", new[] { 5, 3 }), ("embedding", new[] { 7 }) })
        {
            var m = Keras.LoadModel(Path.Combine(dir, name + ".h5"));
            Assert.Equal(shape, m.InputShape);
            Assert.Equal("hard_sigmoid", Assert.IsType<LSTM>(m.Layers.First(l => l is LSTM)).RecurrentActivation);
            var y = m.PredictOnBatch(Npy.Load(Path.Combine(dir, name + "_x.npy")))[0];
            OracleCompare.Close(Npy.Load(Path.Combine(dir, name + "_y.npy")), y.ToArray(), name);
        }
    }
}
