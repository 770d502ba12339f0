// Transfer learning with a frozen base: keras.io's "Transfer learning & fine-tuning"
// (https://keras.io/guides/transfer_learning/, "An end-to-end example"), ported line by line. Changes that keep it
// offline and quick: MobileNetV2 (alpha 0.35, 96x96x3) instead of Xception at 150x150, and random weights instead of
// weights="imagenet", since nothing is downloaded (KerasNet refuses "imagenet"; give a weights file path to use real
// ones); synthetic images of horizontal or vertical stripes instead of tfds' cats_vs_dogs; a sigmoid output with
// "binary_crossentropy" instead of Dense(1) with BinaryCrossentropy(from_logits=True) (the same loss); only the
// "train the top layer" stage, not the fine-tuning stage.
//
//     import os, sys, tempfile
//     import numpy as np
//     from tensorflow import keras
//
//     out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "transfer_learning")
//     epochs = 2
//     keras.utils.set_random_seed(11)
//     rng = np.random.default_rng(11)
//
//     # Stripes in random colours, periods and phases, pixel values 0-255: label 1 vertical, 0 horizontal.
//     size = 96
//     def make_images(n):
//         x = np.zeros((n, size, size, 3), dtype="float32")
//         y = rng.integers(0, 2, n).astype("float32").reshape(-1, 1)
//         for i in range(n):
//             period, phase = rng.integers(6, 20), rng.uniform(0, 2 * np.pi)
//             colour = rng.uniform(0, 255, 3)
//             coord = np.arange(size)[None, :] if y[i, 0] == 1 else np.arange(size)[:, None]
//             wave = (np.sin(2 * np.pi * coord / period + phase) + 1) / 2 * np.ones((size, size))
//             x[i] = wave[:, :, None] * colour + rng.uniform(0, 30, (size, size, 3))
//         return np.clip(x, 0, 255), y
//     train_x, train_y = make_images(64)
//     validation_x, validation_y = make_images(32)
//
//     base_model = keras.applications.MobileNetV2(
//         weights=None,  # KerasNet downloads nothing: random weights, so the features are random too.
//         input_shape=(size, size, 3),
//         alpha=0.35,
//         include_top=False,
//     )  # Do not include the ImageNet classifier at the top.
//     print("base_model:", base_model.name, "with random weights (weights=None: nothing is downloaded)")
//
//     # Freeze the base_model
//     base_model.trainable = False
//
//     # Create new model on top
//     inputs = keras.Input(shape=(size, size, 3))
//     # MobileNetV2 expects inputs in [-1, 1]: rescale from [0, 255]. The layer outputs `(inputs * scale) + offset`
//     scale_layer = keras.layers.Rescaling(scale=1 / 127.5, offset=-1)
//     x = scale_layer(inputs)
//     # The base model contains batchnorm layers: frozen, they run in inference mode.
//     x = base_model(x)
//     x = keras.layers.GlobalAveragePooling2D()(x)
//     x = keras.layers.Dropout(0.2)(x)  # Regularize with dropout
//     outputs = keras.layers.Dense(1, activation="sigmoid")(x)
//     model = keras.Model(inputs, outputs)
//
//     model.summary()
//     print("trainable weights:", len(model.trainable_weights), "non-trainable weights:", len(model.non_trainable_weights))
//
//     model.compile(
//         optimizer=keras.optimizers.Adam(),
//         loss="binary_crossentropy",
//         metrics=["binary_accuracy"],
//     )
//
//     before = [w.numpy().copy() for w in base_model.weights]
//     print("Fitting the top layer of the model")
//     model.fit(train_x, train_y, batch_size=16, epochs=epochs, validation_data=(validation_x, validation_y), verbose=2)
//     unchanged = all(np.array_equal(a, w.numpy()) for a, w in zip(before, base_model.weights))
//     print("base_model weights unchanged by fit:", unchanged)
//
//     os.makedirs(out, exist_ok=True)
//     model.save(os.path.join(out, "transfer_learning.h5"))
//     model.save(os.path.join(out, "transfer_learning.keras"))
//     np.save(os.path.join(out, "x_sample.npy"), validation_x[:4])
//     np.save(os.path.join(out, "predictions.npy"), model.predict(validation_x[:4]))
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run -c Release --project samples/transfer_learning [-- OUTPUT_DIR] [--epochs N]
// Each C# statement below sits under the Python line it ports. numpy's generator is replaced by System.Random with
// the same seed (same distributions, different draws).
using KerasNet;
using KerasNet.Applications;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;

// out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "transfer_learning")
// epochs = 2
var (output, epochs) = SampleArgs.Parse(args, "transfer_learning", defaultEpochs: 2);
// keras.utils.set_random_seed(11)
KerasRandom.SetRandomSeed(11);
// rng = np.random.default_rng(11)
var rng = new Random(11);

// size = 96
const int size = 96;
// train_x, train_y = make_images(64)
var (trainX, trainY) = MakeImages(64);
// validation_x, validation_y = make_images(32)
var (validationX, validationY) = MakeImages(32);

// base_model = keras.applications.MobileNetV2(
var baseModel = Applications.MobileNetV2(
    // weights=None,  # KerasNet downloads nothing: random weights, so the features are random too.
    weights: null,
    // input_shape=(size, size, 3),
    inputShape: (size, size, 3),
    // alpha=0.35,
    alpha: 0.35,
    // include_top=False,
    includeTop: false
// )  # Do not include the ImageNet classifier at the top.
);
// print("base_model:", base_model.name, "with random weights (weights=None: nothing is downloaded)")
Console.WriteLine($"base_model: {baseModel.Name} with random weights (weights=None: nothing is downloaded)");

// base_model.trainable = False
baseModel.Trainable = false;

// inputs = keras.Input(shape=(size, size, 3))
var inputs = Keras.Input(shape: (size, size, 3));
// scale_layer = keras.layers.Rescaling(scale=1 / 127.5, offset=-1)
var scaleLayer = new Rescaling(scale: 1 / 127.5, offset: -1);
// x = scale_layer(inputs)
var x = scaleLayer.Apply(inputs);
// x = base_model(x)
x = baseModel.Apply(x);
// x = keras.layers.GlobalAveragePooling2D()(x)
x = new GlobalAveragePooling2D().Apply(x);
// x = keras.layers.Dropout(0.2)(x)  # Regularize with dropout
x = new Dropout(0.2).Apply(x);
// outputs = keras.layers.Dense(1, activation="sigmoid")(x)
var outputs = new Dense(1, activation: "sigmoid").Apply(x);
// model = keras.Model(inputs, outputs)
var model = new Model(inputs, outputs);

// model.summary()
model.Summary();
// print("trainable weights:", len(model.trainable_weights), "non-trainable weights:", len(model.non_trainable_weights))
Console.WriteLine($"trainable weights: {model.TrainableWeights.Count} non-trainable weights: {model.NonTrainableWeights.Count}");

// model.compile(
model.Compile(
    // optimizer=keras.optimizers.Adam(),
    optimizer: new Adam(),
    // loss="binary_crossentropy",
    loss: "binary_crossentropy",
    // metrics=["binary_accuracy"],
    metrics: ["binary_accuracy"]
// )
);

// before = [w.numpy().copy() for w in base_model.weights]
var before = baseModel.Weights.Select(w => w.Value.ToArray()).ToList();
// print("Fitting the top layer of the model")
Console.WriteLine("Fitting the top layer of the model");
// model.fit(train_x, train_y, batch_size=16, epochs=epochs, validation_data=(validation_x, validation_y), verbose=2)
model.Fit(trainX, trainY, batchSize: 16, epochs: epochs, validationData: (validationX, validationY), verbose: 2);
// unchanged = all(np.array_equal(a, w.numpy()) for a, w in zip(before, base_model.weights))
bool unchanged = before.Zip(baseModel.Weights, (a, w) => a.AsSpan().SequenceEqual(w.Value.Span)).All(same => same);
// print("base_model weights unchanged by fit:", unchanged)
Console.WriteLine($"base_model weights unchanged by fit: {(unchanged ? "True" : "False")}");

// os.makedirs(out, exist_ok=True); model.save(NAME.h5 and NAME.keras); np.save(x_sample.npy: validation_x[:4]);
// np.save(predictions.npy, model.predict(...)); print the sorted listing   (samples/Shared/SampleOutputs.cs)
return SampleOutputs.Save(model, output, "transfer_learning", ("x_sample.npy", SampleArgs.First(validationX, 4)));

// def make_images(n):
(Tensor X, Tensor Y) MakeImages(int n)
{
    // x = np.zeros((n, size, size, 3), dtype="float32")
    var images = new Tensor(n, size, size, 3);
    // y = rng.integers(0, 2, n).astype("float32").reshape(-1, 1)
    var y = new Tensor(n, 1);
    for (int i = 0; i < n; i++) y[i] = rng.Next(0, 2);
    // for i in range(n):
    for (int i = 0; i < n; i++)
    {
        // period, phase = rng.integers(6, 20), rng.uniform(0, 2 * np.pi)
        int period = rng.Next(6, 20);
        double phase = rng.NextDouble() * 2 * Math.PI;
        // colour = rng.uniform(0, 255, 3)
        var colour = Enumerable.Range(0, 3).Select(_ => rng.NextDouble() * 255).ToArray();
        for (int r = 0; r < size; r++)
            for (int c = 0; c < size; c++)
            {
                // coord = np.arange(size)[None, :] if y[i, 0] == 1 else np.arange(size)[:, None]
                int coord = y[i] == 1 ? c : r;
                // wave = (np.sin(2 * np.pi * coord / period + phase) + 1) / 2 * np.ones((size, size))
                double wave = (Math.Sin(2 * Math.PI * coord / period + phase) + 1) / 2;
                // x[i] = wave[:, :, None] * colour + rng.uniform(0, 30, (size, size, 3))
                // return np.clip(x, 0, 255), y
                for (int ch = 0; ch < 3; ch++)
                    images[((i * size + r) * size + c) * 3 + ch] = (float)Math.Clamp(wave * colour[ch] + rng.NextDouble() * 30, 0, 255);
            }
    }
    return (images, y);
}
