#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Saving;

/// <summary>
/// Small graph models for the Functional saving tests, built with fixed names and seeds so their configs can be
/// compared with hand-written tf.keras 2.4 text, and inputs/targets for them.
/// </summary>
internal static class GraphModels
{
    /// <summary>
    /// Two inputs (an image and a vector), a Dense shared by both branches, Conv2D/Activation/Flatten/Dropout on the
    /// image, two outputs; no merge layer.
    /// </summary>
    public static Model TwoTowers(double dropout = 0.2)
    {
        Reset();
        var img = Keras.Input((6, 6, 1), name: "img");
        var vec = Keras.Input(6, name: "vec");
        var x = new Conv2D(2, (3, 3), name: "conv").Apply(img);
        x = new Activation("relu", name: "act").Apply(x);
        x = new Flatten(name: "flat").Apply(x);
        x = new Dropout(dropout, name: "drop").Apply(x);
        x = new Dense(6, activation: "tanh", name: "proj").Apply(x);
        var shared = new Dense(4, activation: "relu", name: "shared");
        var outA = new Dense(3, activation: "softmax", name: "out_a").Apply(shared.Apply(x));
        var outB = new Dense(2, name: "out_b").Apply(shared.Apply(vec));
        return new Model([img, vec], [outA, outB], name: "two_towers");
    }

    /// <summary>Input -> Sequential "encoder" [Dense, Dense] -> Dense "head".</summary>
    public static Model SequentialInFunctional()
    {
        Reset();
        var encoder = new Sequential([new Dense(4, activation: "relu", inputShape: 3, name: "enc_dense"), new Dense(3, name: "enc_out")], name: "encoder");
        var input = Keras.Input(3, name: "input_1");
        var head = new Dense(2, name: "head").Apply(encoder.Apply(input));
        return new Model(input, head, name: "outer");
    }

    /// <summary>Sequential [Functional "inner" (Input -> Dense), Dense "head"].</summary>
    public static Sequential FunctionalInSequential()
    {
        Reset();
        var input = Keras.Input(3, name: "inner_in");
        var inner = new Model(input, new Dense(4, activation: "relu", name: "inner_dense").Apply(input), name: "inner");
        return new Sequential([inner, new Dense(2, name: "head")], name: "seq");
    }

    /// <summary>
    /// A nested Functional "encoder" called on two inputs (two calls of one model: nodes 1 and 2 in tf.keras 2.4),
    /// its two calls being the model's outputs, plus a Sequential head on the first call.
    /// </summary>
    public static Model SharedEncoder()
    {
        Reset();
        var encIn = Keras.Input(4, name: "enc_in");
        var encoder = new Model(encIn, new Dense(3, activation: "tanh", name: "enc_dense").Apply(encIn), name: "encoder");
        var a = Keras.Input(4, name: "a");
        var b = Keras.Input(4, name: "b");
        var ea = encoder.Apply(a);
        var eb = encoder.Apply(b);
        var head = new Sequential([new Dense(2, name: "head_dense")], name: "head");
        return new Model([a, b], [ea, eb, head.Apply(ea)], name: "siamese");
    }

    /// <summary>
    /// Teachable Machine's export shape with our layers: a Sequential whose first layer is a Functional "backbone"
    /// (Conv2D, pooling, Flatten) and whose second is a Sequential head (Dense, Dense softmax).
    /// </summary>
    public static Sequential TeachableMachineLike()
    {
        Reset();
        var input = Keras.Input((8, 8, 3), name: "input_1");
        var x = new Conv2D(4, (3, 3), activation: "relu", name: "Conv1").Apply(input);
        x = new MaxPooling2D(name: "pool").Apply(x);
        x = new Flatten(name: "flat").Apply(x);
        var backbone = new Model(input, x, name: "model1");
        var head = new Sequential([new Dense(5, activation: "relu", inputShape: 36, name: "dense_Dense1"), new Dense(2, activation: "softmax", name: "dense_Dense2")], name: "sequential_3");
        return new Sequential([backbone, head], name: "sequential_4");
    }

    /// <summary>Merge layers in a graph: Add and Subtract of a Dense branch and an input, Concatenate of both with a Dot.</summary>
    public static Model Merges()
    {
        Reset();
        var a = Keras.Input(4, name: "a");
        var b = Keras.Input(4, name: "b");
        var d = new Dense(4, activation: "tanh", name: "branch").Apply(a);
        var sum = new Add(name: "add").Apply(d, b);
        var diff = new Subtract(name: "subtract").Apply(d, b);
        var dot = new Dot(1, normalize: false, name: "dot").Apply(a, b);
        var cat = new Concatenate(name: "concatenate").Apply(sum, diff, dot);
        return new Model([a, b], [new Dense(2, activation: "softmax", name: "out").Apply(cat), sum], name: "merges");
    }

    /// <summary>Clears the name counters and seeds the initializers, so every build gives the same weights.</summary>
    public static void Reset(int seed = 1234)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(seed);
    }

    /// <summary>Deterministic inputs in [-1, 1) for each of the model's inputs.</summary>
    public static Tensor[] Inputs(Model m, int n, int seed = 7)
    {
        var rng = new Random(seed);
        return m.Inputs.Select(t =>
        {
            var x = new Tensor(ShapeUtil.WithBatch(n, t.Shape));
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            return x;
        }).ToArray();
    }

    /// <summary>One-hot targets for each output (one class per sample).</summary>
    public static Tensor[] Targets(Model m, int n, int seed = 8)
    {
        var rng = new Random(seed);
        return m.Outputs.Select(t =>
        {
            int classes = t.Shape[^1];
            var y = new Tensor(n, classes);
            for (int i = 0; i < n; i++) y[i * classes + rng.Next(classes)] = 1;
            return y;
        }).ToArray();
    }

    /// <summary>Every weight value, in model.weights order.</summary>
    public static float[] AllWeights(Model m) => SavingTestUtil.AllWeights(m);

    /// <summary>All outputs of one prediction, concatenated.</summary>
    public static float[] Predictions(Model m, Tensor[] x) => m.PredictOnBatch(x).SelectMany(t => t.ToArray()).ToArray();
}
