// keras.io's "Simple MNIST convnet" (https://keras.io/examples/vision/mnist_convnet/, fchollet), ported line by
// line. The Python below is that example with three changes that keep it offline and quick: mnist.load_data()
// (which downloads) is replaced by a local mnist.npz when one is given and by digit-like synthetic images when not,
// epochs is 3 instead of 15, and the trained model and a few predictions are saved at the end.
//
//     import os, sys, tempfile
//     import numpy as np
//     import keras
//     from keras import layers
//
//     # Usage: python mnist_convnet.py [OUTPUT_DIR] [--epochs N] [--mnist mnist.npz|FOLDER]
//     out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "mnist_convnet")
//     epochs = 3
//     mnist_path = None                 # --mnist: keras.datasets.mnist's mnist.npz, or a folder of x_train.npy ...
//     keras.utils.set_random_seed(1337)
//     rng = np.random.default_rng(1337)
//
//     # Seven-segment digits: each class lights its segments, drawn as strokes 2-3 pixels thick in a box of random
//     # size and place, plus noise; uint8 0-255 as MNIST's.
//     SEGMENTS = ["abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"]
//     ENDS = {"a": (0, 0, 1, 0), "b": (1, 0, 1, .5), "c": (1, .5, 1, 1), "d": (0, 1, 1, 1),
//             "e": (0, .5, 0, 1), "f": (0, 0, 0, .5), "g": (0, .5, 1, .5)}
//     def draw_digit(digit):
//         img = np.zeros((28, 28), dtype="float32")
//         left, top = rng.integers(3, 11), rng.integers(2, 7)
//         w, h = rng.integers(8, 12), rng.integers(14, 19)
//         t = rng.integers(2, 4)
//         for s in SEGMENTS[digit]:
//             x0, y0, x1, y1 = ENDS[s]
//             for k in range(21):
//                 x = int(left + w * (x0 + (x1 - x0) * k / 20))
//                 y = int(top + h * (y0 + (y1 - y0) * k / 20))
//                 img[y:y + t, x:x + t] = 1.0
//         img += rng.uniform(-0.2, 0.2, size=img.shape)
//         return (np.clip(img, 0, 1) * 255).astype("uint8")
//     def make_digits(n):
//         y = rng.integers(0, 10, size=n)
//         return np.stack([draw_digit(d) for d in y]), y
//     def load_mnist(path):
//         if os.path.isdir(path):
//             a = {k: np.load(os.path.join(path, k + ".npy")) for k in ("x_train", "y_train", "x_test", "y_test")}
//         else:
//             a = np.load(path)
//         return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
//
//     # Model / data parameters
//     num_classes = 10
//     input_shape = (28, 28, 1)
//
//     # Load the data and split it between train and test sets
//     if mnist_path:
//         (x_train, y_train), (x_test, y_test) = load_mnist(mnist_path)
//     else:
//         (x_train, y_train), (x_test, y_test) = make_digits(3000), make_digits(500)
//
//     # Scale images to the [0, 1] range
//     x_train = x_train.astype("float32") / 255
//     x_test = x_test.astype("float32") / 255
//     # Make sure images have shape (28, 28, 1)
//     x_train = np.expand_dims(x_train, -1)
//     x_test = np.expand_dims(x_test, -1)
//     print("x_train shape:", x_train.shape)
//     print(x_train.shape[0], "train samples")
//     print(x_test.shape[0], "test samples")
//
//     # convert class vectors to binary class matrices
//     y_train = keras.utils.to_categorical(y_train, num_classes)
//     y_test = keras.utils.to_categorical(y_test, num_classes)
//
//     model = keras.Sequential(
//         [
//             keras.Input(shape=input_shape),
//             layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
//             layers.MaxPooling2D(pool_size=(2, 2)),
//             layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
//             layers.MaxPooling2D(pool_size=(2, 2)),
//             layers.Flatten(),
//             layers.Dropout(0.5),
//             layers.Dense(num_classes, activation="softmax"),
//         ]
//     )
//     model.summary()
//
//     batch_size = 128
//     model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
//     model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
//
//     score = model.evaluate(x_test, y_test, verbose=0)
//     print("Test loss:", score[0])
//     print("Test accuracy:", score[1])
//
//     os.makedirs(out, exist_ok=True)
//     model.save(os.path.join(out, "mnist_convnet.h5"))
//     model.save(os.path.join(out, "mnist_convnet.keras"))
//     np.save(os.path.join(out, "x_sample.npy"), x_test[:8])
//     np.save(os.path.join(out, "predictions.npy"), model.predict(x_test[:8]))
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run -c Release --project samples/mnist_convnet [-- OUTPUT_DIR] [--epochs N] [--mnist mnist.npz|FOLDER]
// Each C# statement below sits under the Python line it ports. numpy's generator is replaced by System.Random with
// the same seed (same distributions, different draws).
using System.IO.Compression;
using KerasNet;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

// mnist_path = None   (--mnist PATH; taken out before the shared [OUTPUT_DIR] [--epochs N] parsing)
string? mnistPath = null;
var rest = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--mnist" && i + 1 < args.Length) mnistPath = args[++i];
    else if (args[i] == "--mnist") { Console.Error.WriteLine("usage: mnist_convnet [OUTPUT_DIR] [--epochs N] [--mnist mnist.npz|FOLDER] (--mnist needs a path)"); return 2; }
    else rest.Add(args[i]);
}
// out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "mnist_convnet")
// epochs = 3
var (output, epochs) = SampleArgs.Parse([.. rest], "mnist_convnet", defaultEpochs: 3);
// keras.utils.set_random_seed(1337)
KerasRandom.SetRandomSeed(1337);
// rng = np.random.default_rng(1337)
var rng = new Random(1337);

// SEGMENTS = ["abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"]
string[] segments = ["abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"];
// ENDS = {"a": (0, 0, 1, 0), "b": (1, 0, 1, .5), ...}
var ends = new Dictionary<char, (double X0, double Y0, double X1, double Y1)>
{
    ['a'] = (0, 0, 1, 0), ['b'] = (1, 0, 1, .5), ['c'] = (1, .5, 1, 1), ['d'] = (0, 1, 1, 1),
    ['e'] = (0, .5, 0, 1), ['f'] = (0, 0, 0, .5), ['g'] = (0, .5, 1, .5),
};

// num_classes = 10
const int numClasses = 10;
// input_shape = (28, 28, 1)
Shape inputShape = (28, 28, 1);

Tensor xTrain, yTrain, xTest, yTest;
// if mnist_path:
if (mnistPath != null)
{
    // (x_train, y_train), (x_test, y_test) = load_mnist(mnist_path)
    try { ((xTrain, yTrain), (xTest, yTest)) = LoadMnist(mnistPath); }
    catch (Exception e) when (e is KerasNetException or IOException or InvalidDataException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"mnist_convnet: cannot read MNIST from '{mnistPath}': {e.Message}");
        return 1;
    }
}
// else:
else
{
    // (x_train, y_train), (x_test, y_test) = make_digits(3000), make_digits(500)
    ((xTrain, yTrain), (xTest, yTest)) = (MakeDigits(3000), MakeDigits(500));
}

// x_train = x_train.astype("float32") / 255
foreach (ref float v in xTrain.Span) v /= 255;
// x_test = x_test.astype("float32") / 255
foreach (ref float v in xTest.Span) v /= 255;
// x_train = np.expand_dims(x_train, -1)
xTrain = xTrain.View([.. xTrain.Shape, 1]);
// x_test = np.expand_dims(x_test, -1)
xTest = xTest.View([.. xTest.Shape, 1]);
// print("x_train shape:", x_train.shape)
Console.WriteLine($"x_train shape: ({string.Join(", ", xTrain.Shape)})");
// print(x_train.shape[0], "train samples")
Console.WriteLine($"{xTrain.Shape[0]} train samples");
// print(x_test.shape[0], "test samples")
Console.WriteLine($"{xTest.Shape[0]} test samples");

// y_train = keras.utils.to_categorical(y_train, num_classes)   (KerasNet has no to_categorical: ToCategorical below)
yTrain = ToCategorical(yTrain, numClasses);
// y_test = keras.utils.to_categorical(y_test, num_classes)
yTest = ToCategorical(yTest, numClasses);

// model = keras.Sequential(
var model = new Sequential(
    // [
    [
        // keras.Input(shape=input_shape),
        new InputLayer(inputShape),
        // layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        new Conv2D(32, kernelSize: (3, 3), activation: "relu"),
        // layers.MaxPooling2D(pool_size=(2, 2)),
        new MaxPooling2D(poolSize: (2, 2)),
        // layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        new Conv2D(64, kernelSize: (3, 3), activation: "relu"),
        // layers.MaxPooling2D(pool_size=(2, 2)),
        new MaxPooling2D(poolSize: (2, 2)),
        // layers.Flatten(),
        new Flatten(),
        // layers.Dropout(0.5),
        new Dropout(0.5),
        // layers.Dense(num_classes, activation="softmax"),
        new Dense(numClasses, activation: "softmax"),
    // ]
    ]
// )
);
// model.summary()
model.Summary();

// batch_size = 128
const int batchSize = 128;
// model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.Compile(loss: "categorical_crossentropy", optimizer: "adam", metrics: ["accuracy"]);
// model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
model.Fit(xTrain, yTrain, batchSize: batchSize, epochs: epochs, validationSplit: 0.1);

// score = model.evaluate(x_test, y_test, verbose=0)   (Evaluate takes arrays as NDArray or a sequence: no Tensor overload)
var score = model.Evaluate(new ArraySequence(xTest, yTest, batchSize: 32), verbose: 0);
// print("Test loss:", score[0])
Console.WriteLine($"Test loss: {score[0]}");
// print("Test accuracy:", score[1])
Console.WriteLine($"Test accuracy: {score[1]}");

// os.makedirs(out, exist_ok=True); model.save(NAME.h5 and NAME.keras); np.save(x_sample.npy: x_test[:8]);
// np.save(predictions.npy, model.predict(...)); print the sorted listing   (samples/Shared/SampleOutputs.cs)
return SampleOutputs.Save(model, output, "mnist_convnet", ("x_sample.npy", SampleArgs.First(xTest, 8)));

// def draw_digit(digit):   (draws into img, the 28*28 slice of the batch it returns in Python)
void DrawDigit(int digit, Span<float> img)
{
    // img = np.zeros((28, 28), dtype="float32")
    img.Clear();
    // left, top = rng.integers(3, 11), rng.integers(2, 7)
    int left = rng.Next(3, 11), top = rng.Next(2, 7);
    // w, h = rng.integers(8, 12), rng.integers(14, 19)
    int w = rng.Next(8, 12), h = rng.Next(14, 19);
    // t = rng.integers(2, 4)
    int t = rng.Next(2, 4);
    // for s in SEGMENTS[digit]:
    foreach (char s in segments[digit])
    {
        // x0, y0, x1, y1 = ENDS[s]
        var (x0, y0, x1, y1) = ends[s];
        // for k in range(21):
        for (int k = 0; k < 21; k++)
        {
            // x = int(left + w * (x0 + (x1 - x0) * k / 20))
            int x = (int)(left + w * (x0 + (x1 - x0) * k / 20));
            // y = int(top + h * (y0 + (y1 - y0) * k / 20))
            int y = (int)(top + h * (y0 + (y1 - y0) * k / 20));
            // img[y:y + t, x:x + t] = 1.0
            for (int r = y; r < Math.Min(28, y + t); r++)
                for (int c = x; c < Math.Min(28, x + t); c++) img[r * 28 + c] = 1f;
        }
    }
    // img += rng.uniform(-0.2, 0.2, size=img.shape)
    for (int i = 0; i < img.Length; i++) img[i] += (float)(rng.NextDouble() * 0.4 - 0.2);
    // return (np.clip(img, 0, 1) * 255).astype("uint8")
    for (int i = 0; i < img.Length; i++) img[i] = MathF.Floor(Math.Clamp(img[i], 0f, 1f) * 255);
}

// def make_digits(n):
(Tensor X, Tensor Y) MakeDigits(int n)
{
    // y = rng.integers(0, 10, size=n)
    var y = new Tensor(n);
    for (int i = 0; i < n; i++) y[i] = rng.Next(0, 10);
    // return np.stack([draw_digit(d) for d in y]), y
    var x = new Tensor(n, 28, 28);
    for (int i = 0; i < n; i++) DrawDigit((int)y[i], x.Span.Slice(i * 784, 784));
    return (x, y);
}

// def load_mnist(path):   (KerasNet reads .npy; an .npz is a zip of .npy files, read here with System.IO.Compression)
((Tensor, Tensor), (Tensor, Tensor)) LoadMnist(string path)
{
    string[] keys = ["x_train", "y_train", "x_test", "y_test"];
    Tensor[] a;
    // if os.path.isdir(path):
    if (Directory.Exists(path))
    {
        // a = {k: np.load(os.path.join(path, k + ".npy")) for k in ("x_train", "y_train", "x_test", "y_test")}
        a = keys.Select(k => Npy.Load(Path.Combine(path, k + ".npy"))).ToArray();
    }
    // else:
    else
    {
        // a = np.load(path)
        using var zip = ZipFile.OpenRead(path);
        a = keys.Select(k =>
        {
            var entry = zip.GetEntry(k + ".npy") ?? throw new KerasNetException($"{path} has no '{k}.npy' (keras.datasets.mnist's mnist.npz holds x_train, y_train, x_test, y_test).");
            using var s = entry.Open();
            using var bytes = new MemoryStream();
            s.CopyTo(bytes);
            return Npy.Parse(bytes.ToArray(), $"{path}:{k}.npy");
        }).ToArray();
    }
    foreach (int i in new[] { 0, 2 })
        if (a[i].Rank != 3 || a[i].Shape[1] != 28 || a[i].Shape[2] != 28)
            throw new KerasNetException($"{keys[i]} has shape ({string.Join(", ", a[i].Shape)}); MNIST's is (n, 28, 28).");
    // return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
    return ((a[0], a[1]), (a[2], a[3]));
}

// keras.utils.to_categorical(y, num_classes)
static Tensor ToCategorical(Tensor y, int numClasses)
{
    var onehot = new Tensor(y.Length, numClasses);
    for (int i = 0; i < y.Length; i++)
    {
        int c = (int)y[i];
        if (c < 0 || c >= numClasses) throw new KerasNetException($"label {y[i]} at {i} is not in [0, {numClasses}).");
        onehot[i * numClasses + c] = 1;
    }
    return onehot;
}
