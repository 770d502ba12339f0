// A text classifier, ported line by line from this Keras program (tf.keras 2.4 or Keras 3 run it unchanged):
//
//     import os, sys, tempfile
//     import numpy as np
//     from tensorflow import keras
//     from tensorflow.keras import layers
//
//     out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "text_classifier")
//     epochs = 8
//     keras.utils.set_random_seed(42)
//     rng = np.random.default_rng(42)
//
//     # A sentiment-like corpus: ids 2-7 are "positive" words, 8-13 "negative", 14-39 neutral, 0 pads.
//     # A review is positive when its positive words outnumber its negative ones.
//     vocab_size, maxlen = 40, 12
//     def make_corpus(n):
//         x = np.zeros((n, maxlen), dtype="int32")
//         y = np.zeros((n, 1), dtype="float32")
//         for i in range(n):
//             length = rng.integers(4, maxlen + 1)
//             words = rng.integers(14, vocab_size, size=length)
//             label = rng.integers(0, 2)
//             major = rng.integers(1, 4)
//             minor = rng.integers(0, major)
//             slots = rng.permutation(length)[:major + minor]
//             major_ids, minor_ids = (2, 8) if label == 1 else (8, 2)
//             words[slots[:major]] = rng.integers(major_ids, major_ids + 6, size=major)
//             words[slots[major:]] = rng.integers(minor_ids, minor_ids + 6, size=minor)
//             x[i, maxlen - length:] = words          # pad_sequences' default: padding="pre"
//             y[i] = label
//         return x, y
//     x_train, y_train = make_corpus(2000)
//     x_test, y_test = make_corpus(500)
//
//     model = keras.Sequential([
//         layers.Embedding(vocab_size, 16, mask_zero=True, input_length=maxlen),
//         layers.LSTM(16),
//         layers.Dense(1, activation="sigmoid"),
//     ])
//     model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
//     model.summary()
//     model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test), verbose=2)
//     loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
//     print(f"test loss {loss:.4f}, test accuracy {accuracy:.3f} (chance 0.5)")
//
//     os.makedirs(out, exist_ok=True)
//     model.save(os.path.join(out, "text_classifier.h5"))
//     model.save(os.path.join(out, "text_classifier.keras"))
//     np.save(os.path.join(out, "x_sample.npy"), x_test[:8])
//     np.save(os.path.join(out, "predictions.npy"), model.predict(x_test[:8]))
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run --project samples/text_classifier [-- OUTPUT_DIR] [--epochs N]
// Each C# statement below sits under the Python line it ports. numpy's generator is replaced by System.Random with
// the same seed (same distributions, different draws).
using KerasNet;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

// out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "text_classifier")
// epochs = 8
var (output, epochs) = SampleArgs.Parse(args, "text_classifier", defaultEpochs: 8);
// keras.utils.set_random_seed(42)
KerasRandom.SetRandomSeed(42);
// rng = np.random.default_rng(42)
var rng = new Random(42);

// vocab_size, maxlen = 40, 12
const int vocabSize = 40, maxlen = 12;

// x_train, y_train = make_corpus(2000)
var (xTrain, yTrain) = MakeCorpus(2000);
// x_test, y_test = make_corpus(500)
var (xTest, yTest) = MakeCorpus(500);

// model = keras.Sequential([
var model = new Sequential([
    // layers.Embedding(vocab_size, 16, mask_zero=True, input_length=maxlen),
    new Embedding(vocabSize, 16, maskZero: true, inputLength: maxlen),
    // layers.LSTM(16),
    new LSTM(16),
    // layers.Dense(1, activation="sigmoid"),
    new Dense(1, activation: "sigmoid"),
]);
// model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.Compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]);
// model.summary()
model.Summary();
// model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test), verbose=2)
model.Fit(xTrain, yTrain, batchSize: 32, epochs: epochs, validationData: (xTest, yTest), verbose: 2);
// loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
var scores = model.Evaluate(new ArraySequence(xTest, yTest, batchSize: 32), verbose: 0);
// print(f"test loss {loss:.4f}, test accuracy {accuracy:.3f} (chance 0.5)")
Console.WriteLine($"test loss {scores[0]:F4}, test accuracy {scores[1]:F3} (chance 0.5)");

// os.makedirs(out, exist_ok=True); model.save(NAME.h5 and NAME.keras); np.save(x_sample.npy: x_test[:8]);
// np.save(predictions.npy, model.predict(...)); print the sorted listing   (samples/Shared/SampleOutputs.cs)
return SampleOutputs.Save(model, output, "text_classifier", ("x_sample.npy", SampleArgs.First(xTest, 8)));

// def make_corpus(n):
(Tensor x, Tensor y) MakeCorpus(int n)
{
    // x = np.zeros((n, maxlen), dtype="int32")   (KerasNet's inputs are float32 tensors holding the ids)
    var x = new Tensor(n, maxlen);
    // y = np.zeros((n, 1), dtype="float32")
    var y = new Tensor(n, 1);
    // for i in range(n):
    for (int i = 0; i < n; i++)
    {
        // length = rng.integers(4, maxlen + 1)
        int length = rng.Next(4, maxlen + 1);
        // words = rng.integers(14, vocab_size, size=length)
        var words = Enumerable.Range(0, length).Select(_ => rng.Next(14, vocabSize)).ToArray();
        // label = rng.integers(0, 2)
        int label = rng.Next(0, 2);
        // major = rng.integers(1, 4)
        int major = rng.Next(1, 4);
        // minor = rng.integers(0, major)
        int minor = rng.Next(0, major);
        // slots = rng.permutation(length)[:major + minor]
        var slots = Enumerable.Range(0, length).OrderBy(_ => rng.Next()).Take(major + minor).ToArray();
        // major_ids, minor_ids = (2, 8) if label == 1 else (8, 2)
        var (majorIds, minorIds) = label == 1 ? (2, 8) : (8, 2);
        // words[slots[:major]] = rng.integers(major_ids, major_ids + 6, size=major)
        foreach (int s in slots[..major]) words[s] = rng.Next(majorIds, majorIds + 6);
        // words[slots[major:]] = rng.integers(minor_ids, minor_ids + 6, size=minor)
        foreach (int s in slots[major..]) words[s] = rng.Next(minorIds, minorIds + 6);
        // x[i, maxlen - length:] = words
        for (int t = 0; t < length; t++) x[i * maxlen + maxlen - length + t] = words[t];
        // y[i] = label
        y[i] = label;
    }
    // return x, y
    return (x, y);
}
