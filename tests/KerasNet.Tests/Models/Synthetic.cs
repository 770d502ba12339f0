using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Models;

/// <summary>Small data sets and models shared by the training, callback and seed tests.</summary>
internal static class Synthetic
{
    /// <summary>
    /// A separable two-class image set: class 0 has a bright horizontal bar, class 1 a vertical one, at a random
    /// position, over uniform noise in [0, 0.3). Targets are one-hot (n, 2).
    /// </summary>
    public static (Tensor x, Tensor y) Bars(int n, int size = 10, int seed = 1)
    {
        var rng = new Random(seed);
        var x = new Tensor(n, size, size, 1);
        var y = new Tensor(n, 2);
        for (int i = 0; i < n; i++)
        {
            int cls = i % 2, at = rng.Next(1, size - 1);
            for (int r = 0; r < size; r++)
                for (int c = 0; c < size; c++)
                    x[(i * size + r) * size + c] = (float)(rng.NextDouble() * 0.3) + ((cls == 0 ? r : c) == at ? 0.7f : 0f);
            y[i * 2 + cls] = 1;
        }
        return (x, y);
    }

    /// <summary>Conv2D(4, 3x3, relu) → MaxPooling2D → Flatten → Dense(2, softmax), compiled with Adam(0.01).</summary>
    public static Sequential SmallCnn(int size = 10, bool dropout = false, string loss = "categorical_crossentropy")
    {
        var m = new Sequential();
        m.Add(new Conv2D(4, (3, 3), inputShape: (size, size, 1), activation: "relu"));
        m.Add(new MaxPooling2D(poolSize: (2, 2)));
        m.Add(new Flatten());
        if (dropout) m.Add(new Dropout(0.3));
        m.Add(new Dense(2, activation: "softmax"));
        m.Compile(new KerasNet.Optimizers.Adam(0.01), loss, ["accuracy"]);
        m.ProgressOutput = new StringWriter();
        return m;
    }

    /// <summary>A random tensor with values uniform in [lo, hi).</summary>
    public static Tensor Uniform(Random rng, float lo, float hi, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = lo + (float)rng.NextDouble() * (hi - lo);
        return t;
    }
}
