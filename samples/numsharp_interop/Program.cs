// Keras and NumSharp in one file. `using KerasNet;` and `using NumSharp;` both bring a type named Shape; the KerasNet
// package adds `global using Shape = KerasNet.Shape;` to the projects that install it (build/KerasNet.targets), so
// `Shape` is Keras's per-sample shape (as `input_shape`), NumSharp's stays `NumSharp.Shape`, and each converts to
// the other implicitly, so NumSharp calls take a Keras Shape and Keras arguments take an array's shape.
//
//     dotnet run --project samples/numsharp_interop [OUTPUT_DIR] [--epochs N]
//
// The Python it mirrors (numpy arrays straight into Keras):
//
//     rng = np.random.default_rng(0)
//     x = rng.normal(size=(512, 4)).astype("float32")
//     y = (x @ [1.0, -2.0, 0.5, 1.5] > 0).astype("float32").reshape(-1, 1)
//     model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=x.shape[1:]),
//                               keras.layers.Dense(1, activation="sigmoid")])
//     model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
//     model.fit(x, y, batch_size=32, epochs=20, verbose=2)
//     loss, accuracy = model.evaluate(x, y, verbose=0)
using KerasNet;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using NumSharp;

var (output, epochs) = SampleArgs.Parse(args, "numsharp_interop", defaultEpochs: 20);
const int samples = 512, features = 4;
float[] weights = [1.0f, -2.0f, 0.5f, 1.5f];

// x = rng.normal(size=(512, 4)); y = (x @ w > 0)   (Box-Muller normals from a seeded System.Random)
var rng = new Random(0);
var xs = new float[samples * features];
var ys = new float[samples];
for (int i = 0; i < samples; i++)
{
    double dot = 0;
    for (int j = 0; j < features; j++)
    {
        float v = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        xs[i * features + j] = v;
        dot += v * weights[j];
    }
    ys[i] = dot > 0 ? 1 : 0;
}

// NumSharp's Shape, spelled out: the whole array, batch first.
NumSharp.Shape dataShape = new NumSharp.Shape(samples, features);
NDArray x = np.array(xs).reshape(dataShape);
// `Shape` alone is Keras's; reshape takes it too (converted to NumSharp's).
NDArray y = np.array(ys).reshape(new Shape(samples, 1));

// input_shape=x.shape[1:]: one sample's NumSharp shape becomes Keras's per-sample Shape.
Shape inputShape = x[0].Shape;
Console.WriteLine($"x shape: ({string.Join(", ", x.shape)}), y shape: ({string.Join(", ", y.shape)}), input_shape: {inputShape}");

var model = new Sequential([
    new Dense(8, activation: "relu", inputShape: inputShape),
    new Dense(1, activation: "sigmoid"),
]);
model.Compile(optimizer: new Adam(learningRate: 0.01), loss: "binary_crossentropy", metrics: ["accuracy"]);
model.Fit(x, y, batchSize: 32, epochs: epochs, verbose: 2);
var scores = model.Evaluate(x, y, verbose: 0);
Console.WriteLine($"accuracy {scores[1]:F3} (chance about {Math.Max(ys.Average(), 1 - ys.Average()):F3})");

// np.zeros(input_shape): a Keras Shape where NumSharp takes one; the model predicts a batch of one sample.
NDArray probe = np.zeros(new Shape(1, features), NPTypeCode.Single);
NDArray p = model.Predict(probe);
Console.WriteLine($"predict(zeros{inputShape}) shape: ({string.Join(", ", p.shape)})");

Directory.CreateDirectory(output);
var path = Path.Combine(output, "numsharp_interop.keras");
model.Save(path);
Console.WriteLine(path);
return 0;
