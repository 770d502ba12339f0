// The classic tabular ANN for bank customer churn (the "Artificial Neural Network" of the Deep Learning A-Z course,
// on Churn_Modelling.csv), ported line by line. The CSV and its pandas/scikit-learn encoding are replaced by synthetic
// customers already encoded the same way (geography one-hot with a dropped column, gender 0/1), and scikit-learn's
// train_test_split and StandardScaler by their numpy equivalents, so the program needs numpy and Keras only
// (tf.keras 2.4 or Keras 3 run it unchanged).
//
//     import os, sys, tempfile
//     import numpy as np
//     from tensorflow import keras
//     from tensorflow.keras.models import Sequential
//     from tensorflow.keras.layers import Dense
//
//     out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "churn_ann")
//     epochs = 10
//     keras.utils.set_random_seed(0)
//     rng = np.random.default_rng(0)
//
//     # Churn_Modelling.csv's columns 3-12 after encoding: Geography (Spain, Germany; France is the dropped dummy),
//     # CreditScore, Gender (1 male), Age, Tenure, Balance, NumOfProducts, HasCrCard, IsActiveMember, EstimatedSalary.
//     # Exited is drawn from a logistic model of age, activity, Germany, gender, products and balance.
//     def make_customers(n):
//         credit = rng.normal(650, 95, n)
//         geography = rng.integers(0, 3, n)
//         gender = rng.integers(0, 2, n)
//         age = rng.integers(18, 80, n)
//         tenure = rng.integers(0, 11, n)
//         balance = np.where(rng.random(n) < 0.35, 0.0, rng.normal(120000, 30000, n))
//         products = rng.integers(1, 5, n)
//         has_card = rng.integers(0, 2, n)
//         active = rng.integers(0, 2, n)
//         salary = rng.uniform(10000, 200000, n)
//         logit = (0.12 * (age - 45) - 1.2 * active + 1.0 * (geography == 2) + 0.5 * (1 - gender)
//                  + 2.0 * (products >= 3) - 0.8 * (products == 2) + 0.000005 * balance - 3.0)
//         exited = rng.random(n) < 1 / (1 + np.exp(-logit))
//         X = np.column_stack([geography == 1, geography == 2, credit, gender, age, tenure, balance, products,
//                              has_card, active, salary]).astype("float32")
//         return X, exited.astype("float32").reshape(-1, 1)
//     X, y = make_customers(10000)
//
//     # Splitting the dataset into the Training set and Test set (train_test_split(X, y, test_size=0.2))
//     idx = rng.permutation(len(X))
//     X_train, X_test, y_train, y_test = X[idx[:8000]], X[idx[8000:]], y[idx[:8000]], y[idx[8000:]]
//
//     # Feature Scaling (StandardScaler: the training split's mean and standard deviation)
//     mean, std = X_train.mean(axis=0), X_train.std(axis=0)
//     X_train = (X_train - mean) / std
//     X_test = (X_test - mean) / std
//
//     # Initialising the ANN
//     classifier = Sequential()
//     # Adding the input layer and the first hidden layer
//     classifier.add(Dense(units=6, kernel_initializer="uniform", activation="relu", input_dim=11))
//     # Adding the second hidden layer
//     classifier.add(Dense(units=6, kernel_initializer="uniform", activation="relu"))
//     # Adding the output layer
//     classifier.add(Dense(units=1, kernel_initializer="uniform", activation="sigmoid"))
//     # Compiling the ANN
//     classifier.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
//     classifier.summary()
//     # Fitting the ANN to the Training set
//     classifier.fit(X_train, y_train, batch_size=10, epochs=epochs, verbose=2)
//
//     # Predicting the Test set results
//     y_pred = classifier.predict(X_test)
//     y_pred = (y_pred > 0.5)
//     # Making the Confusion Matrix (sklearn.metrics.confusion_matrix)
//     cm = np.array([[np.sum((y_test == t) & (y_pred == p)) for p in (0, 1)] for t in (0, 1)])
//     print(cm)
//     print(f"test accuracy {np.trace(cm) / cm.sum():.3f} (always 'stays': {1 - y_test.mean():.3f})")
//
//     os.makedirs(out, exist_ok=True)
//     classifier.save(os.path.join(out, "churn_ann.h5"))
//     classifier.save(os.path.join(out, "churn_ann.keras"))
//     np.save(os.path.join(out, "x_sample.npy"), X_test[:8])
//     np.save(os.path.join(out, "predictions.npy"), classifier.predict(X_test[:8]))
//     for name in sorted(os.listdir(out)):
//         print(os.path.join(out, name))
//
// Usage: dotnet run -c Release --project samples/churn_ann [-- OUTPUT_DIR] [--epochs N]
// Each C# statement below sits under the Python line it ports. numpy's generator is replaced by System.Random with
// the same seed (normal draws by Box-Muller: same distributions, different draws).
using KerasNet;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Sklearn;

// out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "kerasnet-samples", "churn_ann")
// epochs = 10
var (output, epochs) = SampleArgs.Parse(args, "churn_ann", defaultEpochs: 10);
// keras.utils.set_random_seed(0)
KerasRandom.SetRandomSeed(0);
// rng = np.random.default_rng(0)
var rng = new Random(0);

const int features = 11;
// X, y = make_customers(10000)
var (X, y) = MakeCustomers(10000);

// idx = rng.permutation(len(X))
var idx = Enumerable.Range(0, X.BatchSize).OrderBy(_ => rng.Next()).ToArray();
// X_train, X_test, y_train, y_test = X[idx[:8000]], X[idx[8000:]], y[idx[:8000]], y[idx[8000:]]
var (XTrain, XTest, yTrain, yTest) = (Rows(X, idx[..8000]), Rows(X, idx[8000..]), Rows(y, idx[..8000]), Rows(y, idx[8000..]));

// mean, std = X_train.mean(axis=0), X_train.std(axis=0)
var mean = new double[features];
var std = new double[features];
for (int j = 0; j < features; j++)
{
    for (int i = 0; i < XTrain.BatchSize; i++) mean[j] += XTrain[i * features + j];
    mean[j] /= XTrain.BatchSize;
    for (int i = 0; i < XTrain.BatchSize; i++) std[j] += Math.Pow(XTrain[i * features + j] - mean[j], 2);
    std[j] = Math.Sqrt(std[j] / XTrain.BatchSize); // numpy's std: ddof=0
}
// X_train = (X_train - mean) / std
Standardise(XTrain);
// X_test = (X_test - mean) / std
Standardise(XTest);

// classifier = Sequential()
var classifier = new Sequential();
// classifier.add(Dense(units=6, kernel_initializer="uniform", activation="relu", input_dim=11))
classifier.Add(new Dense(units: 6, kernelInitializer: "uniform", activation: "relu", inputShape: features));
// classifier.add(Dense(units=6, kernel_initializer="uniform", activation="relu"))
classifier.Add(new Dense(units: 6, kernelInitializer: "uniform", activation: "relu"));
// classifier.add(Dense(units=1, kernel_initializer="uniform", activation="sigmoid"))
classifier.Add(new Dense(units: 1, kernelInitializer: "uniform", activation: "sigmoid"));
// classifier.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
classifier.Compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]);
// classifier.summary()
classifier.Summary();
// classifier.fit(X_train, y_train, batch_size=10, epochs=epochs, verbose=2)
classifier.Fit(XTrain, yTrain, batchSize: 10, epochs: epochs, verbose: 2);

// y_pred = classifier.predict(X_test)
var yPred = classifier.PredictTensor(new ArraySequence(XTest, null, batchSize: 32));
// y_pred = (y_pred > 0.5)
var predicted = yPred.ToArray().Select(p => p > 0.5 ? 1 : 0).ToArray();
// cm = confusion_matrix(y_test, y_pred)   (KerasNet.Sklearn ports scikit-learn's)
var actual = yTest.ToArray().Select(t => (int)t).ToArray();
var cm = SklearnMetrics.ConfusionMatrix(actual, predicted, labels: [0, 1]);
// print(cm)
Console.WriteLine($"[[{cm[0, 0],4} {cm[0, 1],4}]\n [{cm[1, 0],4} {cm[1, 1],4}]]");
// print(f"test accuracy {np.trace(cm) / cm.sum():.3f} (always 'stays': {1 - y_test.mean():.3f})")
Console.WriteLine($"test accuracy {(cm[0, 0] + cm[1, 1]) / (double)actual.Length:F3} (always 'stays': {1 - actual.Average():F3})");

// os.makedirs(out, exist_ok=True); classifier.save(NAME.h5 and NAME.keras); np.save(x_sample.npy: X_test[:8]);
// np.save(predictions.npy, classifier.predict(...)); print the sorted listing   (samples/Shared/SampleOutputs.cs)
return SampleOutputs.Save(classifier, output, "churn_ann", ("x_sample.npy", SampleArgs.First(XTest, 8)));

// def make_customers(n):
(Tensor X, Tensor y) MakeCustomers(int n)
{
    var X = new Tensor(n, features);
    var y = new Tensor(n, 1);
    for (int i = 0; i < n; i++)
    {
        // credit = rng.normal(650, 95, n)
        double credit = Normal(650, 95);
        // geography = rng.integers(0, 3, n)
        int geography = rng.Next(0, 3);
        // gender = rng.integers(0, 2, n)
        int gender = rng.Next(0, 2);
        // age = rng.integers(18, 80, n)
        int age = rng.Next(18, 80);
        // tenure = rng.integers(0, 11, n)
        int tenure = rng.Next(0, 11);
        // balance = np.where(rng.random(n) < 0.35, 0.0, rng.normal(120000, 30000, n))
        double balance = rng.NextDouble() < 0.35 ? 0.0 : Normal(120000, 30000);
        // products = rng.integers(1, 5, n)
        int products = rng.Next(1, 5);
        // has_card = rng.integers(0, 2, n)
        int hasCard = rng.Next(0, 2);
        // active = rng.integers(0, 2, n)
        int active = rng.Next(0, 2);
        // salary = rng.uniform(10000, 200000, n)
        double salary = 10000 + rng.NextDouble() * 190000;
        // logit = (0.12 * (age - 45) - 1.2 * active + 1.0 * (geography == 2) + 0.5 * (1 - gender)
        //          + 2.0 * (products >= 3) - 0.8 * (products == 2) + 0.000005 * balance - 3.0)
        double logit = 0.12 * (age - 45) - 1.2 * active + 1.0 * (geography == 2 ? 1 : 0) + 0.5 * (1 - gender)
            + 2.0 * (products >= 3 ? 1 : 0) - 0.8 * (products == 2 ? 1 : 0) + 0.000005 * balance - 3.0;
        // exited = rng.random(n) < 1 / (1 + np.exp(-logit))
        bool exited = rng.NextDouble() < 1 / (1 + Math.Exp(-logit));
        // X = np.column_stack([geography == 1, geography == 2, credit, gender, age, tenure, balance, products,
        //                      has_card, active, salary]).astype("float32")
        double[] row = [geography == 1 ? 1 : 0, geography == 2 ? 1 : 0, credit, gender, age, tenure, balance, products, hasCard, active, salary];
        for (int j = 0; j < features; j++) X[i * features + j] = (float)row[j];
        // return X, exited.astype("float32").reshape(-1, 1)
        y[i] = exited ? 1 : 0;
    }
    return (X, y);
}

// X[idx]: the rows in idx's order
static Tensor Rows(Tensor t, int[] rows)
{
    int size = t.SampleSize;
    var r = new Tensor([rows.Length, .. t.Shape[1..]]);
    for (int i = 0; i < rows.Length; i++) t.Span.Slice(rows[i] * size, size).CopyTo(r.Span.Slice(i * size, size));
    return r;
}

// (X - mean) / std, in place
void Standardise(Tensor x)
{
    for (int i = 0; i < x.BatchSize; i++)
        for (int j = 0; j < features; j++) x[i * features + j] = (float)((x[i * features + j] - mean[j]) / std[j]);
}

// rng.normal(mu, sigma): Box-Muller on System.Random's uniforms.
double Normal(double mu, double sigma) => mu + sigma * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
