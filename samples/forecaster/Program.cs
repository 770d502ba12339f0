// A time-series forecaster, ported line by line from this Keras program (tf.keras 2.4 or Keras 3 run it unchanged):
//
//     import os, sys, tempfile
//     import numpy as np
//     from tensorflow import keras
//     from tensorflow.keras import layers
//
//     out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "forecaster")
//     epochs = 10
//     keras.utils.set_random_seed(7)
//     rng = np.random.default_rng(7)
//
//     # A seasonal series: a 24-step cycle, a slower 60-step one, and noise. Forecast the next value from the last 24.
//     n_points, window = 1300, 24
//     t = np.arange(n_points)
//     series = 2.0 * np.sin(2 * np.pi * t / 24) + 0.8 * np.sin(2 * np.pi * t / 60) + rng.normal(0, 0.2, n_points)
//     split = 1000
//     mean, std = series[:split].mean(), series[:split].std()
//     scaled = (series - mean) / std
//     def windows(start, stop):
//         x = np.stack([scaled[i:i + window] for i in range(start, stop - window)])[..., None]
//         y = scaled[start + window:stop, None]
//         return x.astype("float32"), y.astype("float32")
//     x_train, y_train = windows(0, split)
//     x_test, y_test = windows(split, n_points)
//
//     model = keras.Sequential([
//         layers.LSTM(32, return_sequences=True, input_shape=(window, 1)),
//         layers.LSTM(16),
//         layers.Dense(1),
//     ])
//     model.compile(optimizer="adam", loss="mse")
//     model.summary()
//     model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test), verbose=2)
//     predicted = model.predict(x_test)[:, 0] * std + mean
//     actual = y_test[:, 0] * std + mean
//     naive = x_test[:, -1, 0] * std + mean                 # the baseline: tomorrow is today
//     mae, naive_mae = np.abs(predicted - actual).mean(), np.abs(naive - actual).mean()
//     print(f"test MAE {mae:.4f}, naive (last value) MAE {naive_mae:.4f}, ratio {mae / naive_mae:.3f}")
//
//     os.makedirs(out, exist_ok=True)
//     model.save(os.path.join(out, "forecaster.h5"))
//     model.save(os.path.join(out, "forecaster.keras"))
//     np.save(os.path.join(out, "x_sample.npy"), x_test[:8])
//     np.save(os.path.join(out, "predictions.npy"), model.predict(x_test[:8]))
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run --project samples/forecaster [-- OUTPUT_DIR] [--epochs N]
// Each C# statement below sits under the Python line it ports. numpy's generator is replaced by System.Random with
// the same seed (normal noise by Box-Muller: same distribution, different draws).
using KerasNet;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

// out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "forecaster")
// epochs = 10
var (output, epochs) = SampleArgs.Parse(args, "forecaster", defaultEpochs: 10);
// keras.utils.set_random_seed(7)
KerasRandom.SetRandomSeed(7);
// rng = np.random.default_rng(7)
var rng = new Random(7);

// n_points, window = 1300, 24
const int nPoints = 1300, window = 24;
// t = np.arange(n_points)
// series = 2.0 * np.sin(2 * np.pi * t / 24) + 0.8 * np.sin(2 * np.pi * t / 60) + rng.normal(0, 0.2, n_points)
var series = Enumerable.Range(0, nPoints)
    .Select(t => 2.0 * Math.Sin(2 * Math.PI * t / 24) + 0.8 * Math.Sin(2 * Math.PI * t / 60) + Normal(0, 0.2)).ToArray();
// split = 1000
const int split = 1000;
// mean, std = series[:split].mean(), series[:split].std()
double mean = series[..split].Average();
double std = Math.Sqrt(series[..split].Select(v => (v - mean) * (v - mean)).Average());
// scaled = (series - mean) / std
var scaled = series.Select(v => (v - mean) / std).ToArray();
// x_train, y_train = windows(0, split)
var (xTrain, yTrain) = Windows(0, split);
// x_test, y_test = windows(split, n_points)
var (xTest, yTest) = Windows(split, nPoints);

// model = keras.Sequential([
var model = new Sequential([
    // layers.LSTM(32, return_sequences=True, input_shape=(window, 1)),
    new LSTM(32, returnSequences: true, inputShape: (window, 1)),
    // layers.LSTM(16),
    new LSTM(16),
    // layers.Dense(1),
    new Dense(1),
]);
// model.compile(optimizer="adam", loss="mse")
model.Compile(optimizer: "adam", loss: "mse");
// model.summary()
model.Summary();
// model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test), verbose=2)
model.Fit(xTrain, yTrain, batchSize: 32, epochs: epochs, validationData: (xTest, yTest), verbose: 2);
// predicted = model.predict(x_test)[:, 0] * std + mean
var predictedScaled = model.Predict(xTest);
var predicted = Enumerable.Range(0, yTest.BatchSize).Select(i => predictedScaled[i] * std + mean).ToArray();
// actual = y_test[:, 0] * std + mean
var actual = Enumerable.Range(0, yTest.BatchSize).Select(i => yTest[i] * std + mean).ToArray();
// naive = x_test[:, -1, 0] * std + mean
var naive = Enumerable.Range(0, yTest.BatchSize).Select(i => xTest[i * window + window - 1] * std + mean).ToArray();
// mae, naive_mae = np.abs(predicted - actual).mean(), np.abs(naive - actual).mean()
double mae = predicted.Zip(actual, (p, a) => Math.Abs(p - a)).Average(), naiveMae = naive.Zip(actual, (p, a) => Math.Abs(p - a)).Average();
// print(f"test MAE {mae:.4f}, naive (last value) MAE {naive_mae:.4f}, ratio {mae / naive_mae:.3f}")
Console.WriteLine($"test MAE {mae:F4}, naive (last value) MAE {naiveMae:F4}, ratio {mae / naiveMae:F3}");

// os.makedirs(out, exist_ok=True); model.save(NAME.h5 and NAME.keras); np.save(x_sample.npy: x_test[:8]);
// np.save(predictions.npy, model.predict(...)); print the sorted listing   (samples/Shared/SampleOutputs.cs)
return SampleOutputs.Save(model, output, "forecaster", ("x_sample.npy", SampleArgs.First(xTest, 8)));

// def windows(start, stop):
(Tensor x, Tensor y) Windows(int start, int stop)
{
    int n = stop - window - start;
    // x = np.stack([scaled[i:i + window] for i in range(start, stop - window)])[..., None]
    var x = new Tensor(n, window, 1);
    for (int i = 0; i < n; i++)
        for (int s = 0; s < window; s++) x[i * window + s] = (float)scaled[start + i + s];
    // y = scaled[start + window:stop, None]
    var y = new Tensor(n, 1);
    for (int i = 0; i < n; i++) y[i] = (float)scaled[start + window + i];
    // return x.astype("float32"), y.astype("float32")
    return (x, y);
}

// rng.normal(mean, sd): Box-Muller on System.Random's uniforms.
double Normal(double mu, double sigma) => mu + sigma * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
