// A regression MLP: "Predicting house prices" from Deep Learning with Python (F. Chollet, chapter 3, the Boston
// Housing example), ported line by line, with keras.io's EarlyStopping(restore_best_weights=True) in place of the
// book's k-fold search for the number of epochs. boston_housing.load_data() (which downloads) is replaced by
// synthetic houses of the same shape: 404 training and 102 test samples, 13 features on very different scales,
// prices in thousands of dollars (tf.keras 2.4 or Keras 3 run it unchanged).
//
//     import os, sys, tempfile
//     import numpy as np
//     from tensorflow import keras
//     from tensorflow.keras import models, layers
//
//     out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "regression_mlp")
//     epochs = 200
//     keras.utils.set_random_seed(3)
//     rng = np.random.default_rng(3)
//
//     # Boston-like houses: each feature uniform on [0, 1) times a column scale (rooms near 9, tax near 700...);
//     # the price rises with rooms (5), falls with the poor share (12) and crime (0), plus a nonlinear term and noise.
//     SCALES = np.array([90, 100, 28, 1, 0.9, 9, 100, 12, 24, 710, 22, 400, 38])
//     def make_houses(n):
//         u = rng.uniform(0, 1, size=(n, 13))
//         price = (22 + 12 * u[:, 5] - 10 * u[:, 12] + 6 * u[:, 5] * (1 - u[:, 12]) - 5 * u[:, 0] ** 2
//                  + 3 * np.sin(3 * u[:, 7]) + rng.normal(0, 1.5, n))
//         return (u * SCALES).astype("float32"), np.clip(price, 5, 50).astype("float32").reshape(-1, 1)
//     (train_data, train_targets), (test_data, test_targets) = make_houses(404), make_houses(102)
//
//     mean = train_data.mean(axis=0)
//     train_data -= mean
//     std = train_data.std(axis=0)
//     train_data /= std
//     test_data -= mean
//     test_data /= std
//
//     def build_model():
//         model = models.Sequential()
//         model.add(layers.Dense(64, activation="relu", input_shape=(train_data.shape[1],)))
//         model.add(layers.Dense(64, activation="relu"))
//         model.add(layers.Dense(1))
//         model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
//         return model
//
//     model = build_model()
//     model.summary()
//     early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True, verbose=1)
//     history = model.fit(train_data, train_targets, epochs=epochs, batch_size=16, validation_split=0.2,
//                         callbacks=[early_stopping], verbose=2)
//     print(f"trained {len(history.epoch)} epochs, best val_loss {min(history.history['val_loss']):.3f}")
//     test_mse_score, test_mae_score = model.evaluate(test_data, test_targets, verbose=0)
//     baseline = np.abs(test_targets - train_targets.mean()).mean()
//     print(f"test MAE {test_mae_score:.3f} (predicting the training mean: {baseline:.3f}), in $1000s")
//
//     os.makedirs(out, exist_ok=True)
//     model.save(os.path.join(out, "regression_mlp.h5"))
//     model.save(os.path.join(out, "regression_mlp.keras"))
//     np.save(os.path.join(out, "x_sample.npy"), test_data[:8])
//     np.save(os.path.join(out, "predictions.npy"), model.predict(test_data[:8]))
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run -c Release --project samples/regression_mlp [-- OUTPUT_DIR] [--epochs N]
// Each C# statement below sits under the Python line it ports. numpy's generator is replaced by System.Random with
// the same seed (normal draws by Box-Muller: same distributions, different draws).
using KerasNet;
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

// out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "regression_mlp")
// epochs = 200
var (output, epochs) = SampleArgs.Parse(args, "regression_mlp", defaultEpochs: 200);
// keras.utils.set_random_seed(3)
KerasRandom.SetRandomSeed(3);
// rng = np.random.default_rng(3)
var rng = new Random(3);

// SCALES = np.array([90, 100, 28, 1, 0.9, 9, 100, 12, 24, 710, 22, 400, 38])
double[] scales = [90, 100, 28, 1, 0.9, 9, 100, 12, 24, 710, 22, 400, 38];
const int features = 13;
// (train_data, train_targets), (test_data, test_targets) = make_houses(404), make_houses(102)
var ((trainData, trainTargets), (testData, testTargets)) = (MakeHouses(404), MakeHouses(102));

// mean = train_data.mean(axis=0)
var mean = ColumnMean(trainData);
// train_data -= mean
AddColumns(trainData, mean, -1);
// std = train_data.std(axis=0)   (numpy's std: ddof=0; the data are centred now)
var std = Enumerable.Range(0, features).Select(j => Math.Sqrt(Enumerable.Range(0, trainData.BatchSize).Average(i => Math.Pow(trainData[i * features + j], 2)))).ToArray();
// train_data /= std
DivideColumns(trainData, std);
// test_data -= mean
AddColumns(testData, mean, -1);
// test_data /= std
DivideColumns(testData, std);

// model = build_model()
var model = BuildModel();
// model.summary()
model.Summary();
// early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True, verbose=1)
var earlyStopping = new EarlyStopping(monitor: "val_loss", patience: 10, restoreBestWeights: true, verbose: 1);
// history = model.fit(train_data, train_targets, epochs=epochs, batch_size=16, validation_split=0.2,
//                     callbacks=[early_stopping], verbose=2)
var history = model.Fit(trainData, trainTargets, epochs: epochs, batchSize: 16, validationSplit: 0.2,
    callbacks: [earlyStopping], verbose: 2);
// print(f"trained {len(history.epoch)} epochs, best val_loss {min(history.history['val_loss']):.3f}")
Console.WriteLine($"trained {history.Epoch.Count} epochs, best val_loss {history.history["val_loss"].Min():F3}");
// test_mse_score, test_mae_score = model.evaluate(test_data, test_targets, verbose=0)
var scores = model.Evaluate(new ArraySequence(testData, testTargets, batchSize: 32), verbose: 0);
var testPredictions = model.PredictTensor(new ArraySequence(testData, null, batchSize: 32)).ToArray();
var (testMseScore, testMaeScore) = (scores[0], testPredictions.Zip(testTargets.ToArray(), (p, t) => Math.Abs((double)p - t)).Average());
// baseline = np.abs(test_targets - train_targets.mean()).mean()
double trainMean = trainTargets.ToArray().Average(v => (double)v);
double baseline = testTargets.ToArray().Average(v => Math.Abs(v - trainMean));
// print(f"test MAE {test_mae_score:.3f} (predicting the training mean: {baseline:.3f}), in $1000s")
Console.WriteLine($"test MAE {testMaeScore:F3} (predicting the training mean: {baseline:F3}), in $1000s");

// os.makedirs(out, exist_ok=True); model.save(NAME.h5 and NAME.keras); np.save(x_sample.npy: test_data[:8]);
// np.save(predictions.npy, model.predict(...)); print the sorted listing   (samples/Shared/SampleOutputs.cs)
return SampleOutputs.Save(model, output, "regression_mlp", ("x_sample.npy", SampleArgs.First(testData, 8)));

// def build_model():
Sequential BuildModel()
{
    // model = models.Sequential()
    var m = new Sequential();
    // model.add(layers.Dense(64, activation="relu", input_shape=(train_data.shape[1],)))
    m.Add(new Dense(64, activation: "relu", inputShape: trainData.Shape[1]));
    // model.add(layers.Dense(64, activation="relu"))
    m.Add(new Dense(64, activation: "relu"));
    // model.add(layers.Dense(1))
    m.Add(new Dense(1));
    // model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    // (KerasNet's Compile knows only the accuracy metrics so far: no "mae" here, the test MAE is computed below)
    m.Compile(optimizer: "rmsprop", loss: "mse");
    // return model
    return m;
}

// def make_houses(n):
(Tensor X, Tensor Y) MakeHouses(int n)
{
    var x = new Tensor(n, features);
    var price = new Tensor(n, 1);
    for (int i = 0; i < n; i++)
    {
        // u = rng.uniform(0, 1, size=(n, 13))
        var u = Enumerable.Range(0, features).Select(_ => rng.NextDouble()).ToArray();
        // price = (22 + 12 * u[:, 5] - 10 * u[:, 12] + 6 * u[:, 5] * (1 - u[:, 12]) - 5 * u[:, 0] ** 2
        //          + 3 * np.sin(3 * u[:, 7]) + rng.normal(0, 1.5, n))
        double p = 22 + 12 * u[5] - 10 * u[12] + 6 * u[5] * (1 - u[12]) - 5 * u[0] * u[0] + 3 * Math.Sin(3 * u[7]) + Normal(0, 1.5);
        // return (u * SCALES).astype("float32"), np.clip(price, 5, 50).astype("float32").reshape(-1, 1)
        for (int j = 0; j < features; j++) x[i * features + j] = (float)(u[j] * scales[j]);
        price[i] = (float)Math.Clamp(p, 5, 50);
    }
    return (x, price);
}

// x.mean(axis=0)
static double[] ColumnMean(Tensor x) =>
    Enumerable.Range(0, x.SampleSize).Select(j => Enumerable.Range(0, x.BatchSize).Average(i => (double)x[i * x.SampleSize + j])).ToArray();

// x += sign * v (broadcast over the rows)
static void AddColumns(Tensor x, double[] v, int sign)
{
    for (int i = 0; i < x.BatchSize; i++)
        for (int j = 0; j < v.Length; j++) x[i * v.Length + j] = (float)(x[i * v.Length + j] + sign * v[j]);
}

// x /= v (broadcast over the rows)
static void DivideColumns(Tensor x, double[] v)
{
    for (int i = 0; i < x.BatchSize; i++)
        for (int j = 0; j < v.Length; j++) x[i * v.Length + j] = (float)(x[i * v.Length + j] / v[j]);
}

// rng.normal(mu, sigma): Box-Muller on System.Random's uniforms.
double Normal(double mu, double sigma) => mu + sigma * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
