// A Functional model with two inputs: keras.io's multi-input example ("Models with multiple inputs and outputs" in
// the Functional API guide, https://keras.io/guides/functional_api/) reduced to a numeric branch and an image
// branch joined by concatenate, ported line by line. The data are synthetic and the label needs both inputs
// (tf.keras 2.4 or Keras 3 run it unchanged).
//
//     import os, sys, tempfile
//     import numpy as np
//     from tensorflow import keras
//     from tensorflow.keras import layers
//
//     out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "two_inputs")
//     epochs = 8
//     keras.utils.set_random_seed(5)
//     rng = np.random.default_rng(5)
//
//     # 8 numeric features and a 16x16 grayscale image with a bright 3x3 spot in its top or bottom half. The label is
//     # positive when the features' weighted sum plus 1 (spot on top) or -1 (at the bottom) is positive: each input
//     # alone predicts about 75% of the labels, both together all of them.
//     num_features, image_shape = 8, (16, 16, 1)
//     W = np.array([1.0, -1.0, 0.5, 0, 0, 0.5, 0, 0])
//     def make_samples(n):
//         features = rng.normal(0, 1, size=(n, num_features)).astype("float32")
//         images = rng.uniform(0, 0.5, size=(n,) + image_shape).astype("float32")
//         top = rng.integers(0, 2, n)
//         for i in range(n):
//             r, c = rng.integers(0, 6) + (0 if top[i] else 8), rng.integers(0, 14)
//             images[i, r:r + 3, c:c + 3, 0] = 1.0
//         labels = (features @ W + (2 * top - 1) > 0).astype("float32").reshape(-1, 1)
//         return features, images, labels
//     f_train, i_train, y_train = make_samples(2000)
//     f_test, i_test, y_test = make_samples(500)
//
//     features_input = keras.Input(shape=(num_features,), name="features")
//     image_input = keras.Input(shape=image_shape, name="image")
//     x1 = layers.Dense(16, activation="relu")(features_input)
//     x2 = layers.Conv2D(8, 3, activation="relu")(image_input)
//     x2 = layers.MaxPooling2D(2)(x2)
//     x2 = layers.Flatten()(x2)
//     x = layers.concatenate([x1, x2])
//     x = layers.Dense(16, activation="relu")(x)
//     label = layers.Dense(1, activation="sigmoid", name="label")(x)
//     model = keras.Model(inputs=[features_input, image_input], outputs=label)
//     model.summary()
//
//     model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
//     model.fit([f_train, i_train], y_train, batch_size=32, epochs=epochs, validation_split=0.2, verbose=2)
//     loss, accuracy = model.evaluate([f_test, i_test], y_test, verbose=0)
//     print(f"test loss {loss:.4f}, test accuracy {accuracy:.3f} (chance 0.5, one input alone about 0.75)")
//
//     os.makedirs(out, exist_ok=True)
//     model.save(os.path.join(out, "two_inputs.h5"))
//     model.save(os.path.join(out, "two_inputs.keras"))
//     np.save(os.path.join(out, "x_sample_features.npy"), f_test[:8])
//     np.save(os.path.join(out, "x_sample_image.npy"), i_test[:8])
//     np.save(os.path.join(out, "predictions.npy"), model.predict([f_test[:8], i_test[:8]]))
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run -c Release --project samples/two_inputs [-- OUTPUT_DIR] [--epochs N]
// Each C# statement below sits under the Python line it ports. numpy's generator is replaced by System.Random with
// the same seed (normal draws by Box-Muller: same distributions, different draws).
using KerasNet;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

// out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "two_inputs")
// epochs = 8
var (output, epochs) = SampleArgs.Parse(args, "two_inputs", defaultEpochs: 8);
// keras.utils.set_random_seed(5)
KerasRandom.SetRandomSeed(5);
// rng = np.random.default_rng(5)
var rng = new Random(5);

// num_features, image_shape = 8, (16, 16, 1)
const int numFeatures = 8;
Shape imageShape = (16, 16, 1);
// W = np.array([1.0, -1.0, 0.5, 0, 0, 0.5, 0, 0])
double[] W = [1.0, -1.0, 0.5, 0, 0, 0.5, 0, 0];
// f_train, i_train, y_train = make_samples(2000)
var (fTrain, iTrain, yTrain) = MakeSamples(2000);
// f_test, i_test, y_test = make_samples(500)
var (fTest, iTest, yTest) = MakeSamples(500);

// features_input = keras.Input(shape=(num_features,), name="features")
var featuresInput = Keras.Input(shape: numFeatures, name: "features");
// image_input = keras.Input(shape=image_shape, name="image")
var imageInput = Keras.Input(shape: imageShape, name: "image");
// x1 = layers.Dense(16, activation="relu")(features_input)
var x1 = new Dense(16, activation: "relu").Apply(featuresInput);
// x2 = layers.Conv2D(8, 3, activation="relu")(image_input)
var x2 = new Conv2D(8, 3, activation: "relu").Apply(imageInput);
// x2 = layers.MaxPooling2D(2)(x2)
x2 = new MaxPooling2D(2).Apply(x2);
// x2 = layers.Flatten()(x2)
x2 = new Flatten().Apply(x2);
// x = layers.concatenate([x1, x2])   (KerasNet has the Concatenate layer, not the functional helper)
var x = new Concatenate().Apply(x1, x2);
// x = layers.Dense(16, activation="relu")(x)
x = new Dense(16, activation: "relu").Apply(x);
// label = layers.Dense(1, activation="sigmoid", name="label")(x)
var label = new Dense(1, activation: "sigmoid", name: "label").Apply(x);
// model = keras.Model(inputs=[features_input, image_input], outputs=label)
var model = new Model(inputs: [featuresInput, imageInput], outputs: label);
// model.summary()
model.Summary();

// model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.Compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]);
// model.fit([f_train, i_train], y_train, batch_size=32, epochs=epochs, validation_split=0.2, verbose=2)
model.Fit([fTrain, iTrain], [yTrain], batchSize: 32, epochs: epochs, validationSplit: 0.2, verbose: 2);
// loss, accuracy = model.evaluate([f_test, i_test], y_test, verbose=0)
var scores = model.Evaluate(new ArraySequence([fTest, iTest], [yTest], batchSize: 32), verbose: 0);
// print(f"test loss {loss:.4f}, test accuracy {accuracy:.3f} (chance 0.5, one input alone about 0.75)")
Console.WriteLine($"test loss {scores[0]:F4}, test accuracy {scores[1]:F3} (chance 0.5, one input alone about 0.75)");

// os.makedirs(out, exist_ok=True); model.save(NAME.h5 and NAME.keras); np.save(x_sample_features.npy: f_test[:8], x_sample_image.npy: i_test[:8]);
// np.save(predictions.npy, model.predict(...)); print the sorted listing   (samples/Shared/SampleOutputs.cs)
return SampleOutputs.Save(model, output, "two_inputs", ("x_sample_features.npy", SampleArgs.First(fTest, 8)), ("x_sample_image.npy", SampleArgs.First(iTest, 8)));

// def make_samples(n):
(Tensor Features, Tensor Images, Tensor Labels) MakeSamples(int n)
{
    // features = rng.normal(0, 1, size=(n, num_features)).astype("float32")
    var features = new Tensor(n, numFeatures);
    foreach (ref float v in features.Span) v = (float)Normal(0, 1);
    // images = rng.uniform(0, 0.5, size=(n,) + image_shape).astype("float32")
    var images = new Tensor(n, 16, 16, 1);
    foreach (ref float v in images.Span) v = (float)(rng.NextDouble() * 0.5);
    // top = rng.integers(0, 2, n)
    var top = Enumerable.Range(0, n).Select(_ => rng.Next(0, 2)).ToArray();
    // for i in range(n):
    for (int i = 0; i < n; i++)
    {
        // r, c = rng.integers(0, 6) + (0 if top[i] else 8), rng.integers(0, 14)
        int r = rng.Next(0, 6) + (top[i] == 1 ? 0 : 8), c = rng.Next(0, 14);
        // images[i, r:r + 3, c:c + 3, 0] = 1.0
        for (int dr = 0; dr < 3; dr++)
            for (int dc = 0; dc < 3; dc++) images[(i * 16 + r + dr) * 16 + c + dc] = 1f;
    }
    // labels = (features @ W + (2 * top - 1) > 0).astype("float32").reshape(-1, 1)
    var labels = new Tensor(n, 1);
    for (int i = 0; i < n; i++)
    {
        double score = 2 * top[i] - 1;
        for (int j = 0; j < numFeatures; j++) score += features[i * numFeatures + j] * W[j];
        labels[i] = score > 0 ? 1 : 0;
    }
    // return features, images, labels
    return (features, images, labels);
}

// rng.normal(mu, sigma): Box-Muller on System.Random's uniforms.
double Normal(double mu, double sigma) => mu + sigma * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
