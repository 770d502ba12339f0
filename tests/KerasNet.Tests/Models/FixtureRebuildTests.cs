using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// The real Keras models in ../shared/fixtures/keras rebuilt layer by layer in C# (from their documented
/// architectures), with weights read by h5py and set through SetWeights: the outputs must reproduce expected/*.npy
/// (computed in float64 by two independent implementations) to 1e-4. This checks the engine and the Keras weight
/// layouts without KerasNet's own file loaders.
/// </summary>
public class FixtureRebuildTests
{
    private static Layer[] Mnist3Conv(bool dropout) =>
    [
        new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)), new MaxPooling2D((2, 2)),
        new Conv2D(64, (3, 3), activation: "relu"), new MaxPooling2D((2, 2)),
        new Conv2D(64, (3, 3), activation: "relu"), new Flatten(),
        new Dense(64, activation: "relu"), .. (dropout ? new Layer[] { new Dropout(0.5) } : []), new Dense(10, activation: "softmax"),
    ];

    private static Layer[] Cypher() =>
    [
        new Conv2D(8, (3, 3), activation: "relu", inputShape: (28, 28, 1)), new MaxPooling2D((2, 2)), new Flatten(),
        new Dense(16, activation: "relu"), new Dense(10, activation: "softmax"),
    ];

    public static TheoryData<string> Models() =>
    [
        "ikukang_DeepLearningWithPythonKeras__mnist_cnn.h5", "binhgo_Learn-AI__mnist_cnn.h5",
        "AykCanDem_digitRecognition__mnist_cnn_weights.h5", "KILNETA_CNN_MNIST__mnist_cnn.h5",
        "01110001_ml-mnist__mnist_cnn.h5", "Kimthangg_mnist_cnn__mnist_cnn.h5",
        "CypherHK_MLS_A11__mnist_cnn_model.keras", "CypherHK_MLS_A11__mnist_cnn.weights.h5",
    ];

    private static Layer[] Architecture(string file) => file switch
    {
        "ikukang_DeepLearningWithPythonKeras__mnist_cnn.h5" or "01110001_ml-mnist__mnist_cnn.h5" => Mnist3Conv(dropout: false),
        "Kimthangg_mnist_cnn__mnist_cnn.h5" => Mnist3Conv(dropout: true),
        "binhgo_Learn-AI__mnist_cnn.h5" =>
        [
            new Conv2D(8, (3, 3), inputShape: (28, 28, 1)), new MaxPooling2D((2, 2)), new Flatten(), new Dense(10, activation: "softmax"),
        ],
        "AykCanDem_digitRecognition__mnist_cnn_weights.h5" =>
        [
            new Conv2D(64, (3, 3), activation: "relu", inputShape: (28, 28, 1)), new MaxPooling2D((2, 2)),
            new Conv2D(128, (3, 3), activation: "relu"), new MaxPooling2D((2, 2)), new Flatten(),
            new Dense(128, activation: "relu"), new Dense(10, activation: "softmax"),
        ],
        "KILNETA_CNN_MNIST__mnist_cnn.h5" =>
        [
            new Conv2D(16, (5, 5), padding: "same", inputShape: (28, 28, 1)), new Activation("relu"), new MaxPooling2D((2, 2)),
            new Conv2D(36, (5, 5), padding: "same"), new Activation("relu"), new MaxPooling2D((2, 2)), new Dropout(0.25),
            new Flatten(), new Dense(128, activation: "relu"), new Dropout(0.5), new Dense(10, activation: "softmax"),
        ],
        _ => Cypher(),
    };

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void RebuiltModelReproducesExpectedOutputs(string file)
    {
        var fixtures = Oracle.RequireFixtures();
        Oracle.RequirePython("h5py", "numpy");
        var dir = Oracle.TempDir();
        var args = new List<string> { Path.Combine(fixtures, file), dir };
        if (file.EndsWith(".weights.h5")) args.Add(Path.Combine(fixtures, "CypherHK_MLS_A11__mnist_cnn_model.keras"));
        int count = int.Parse(Oracle.RunPythonScript("core_h5_weights.py", [.. args]).Trim());

        var model = new Sequential(Architecture(file));
        var weights = Enumerable.Range(0, count).Select(i => NDArrays.FromTensor(Npy.Load(Path.Combine(dir, $"{i}.npy")))).ToList();
        model.SetWeights(weights);

        string stem = file.EndsWith(".keras") ? file[..^6] : file[..^3];
        var input = Npy.Load(Path.Combine(fixtures, "inputs", stem + ".npy"));
        var expected = Npy.Load(Path.Combine(fixtures, "expected", stem + ".npy"));
        var actual = model.Predict(input);
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4, $"{file}: output[{i / 10}, {i % 10}] = {actual[i]}, expected {expected[i]}");
    }

    [Fact]
    public void SetWeightsRejectsArraysOfAnotherArchitecture()
    {
        var model = new Sequential(Cypher());
        var weights = model.GetWeights();
        weights[0] = NDArrays.FromTensor(new KerasNet.Engine.Tensor(3, 3, 1, 9));
        var ex = Assert.Throws<ShapeMismatchException>(() => model.SetWeights(weights));
        Assert.Contains("kernel", ex.Message);
        Assert.Throws<ShapeMismatchException>(() => model.SetWeights(weights.Take(3).ToList()));
    }
}
