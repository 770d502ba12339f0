using KerasNet;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

KerasRandom.SetRandomSeed(1);
var network = new Sequential();
network.Add(new Conv2D(32, (3, 3), inputShape: (64, 64, 3), activation: "relu"));
network.Add(new MaxPooling2D(poolSize: (2, 2)));
network.Add(new Conv2D(32, (3, 3), activation: "relu"));
network.Add(new MaxPooling2D(poolSize: (2, 2)));
network.Add(new Conv2D(32, (3, 3), activation: "relu"));
network.Add(new MaxPooling2D(poolSize: (2, 2)));
network.Add(new Flatten());
network.Add(new Dense(units: 3137, activation: "relu"));
network.Add(new Dense(units: 3137, activation: "relu"));
network.Add(new Dense(units: 2, activation: "softmax"));
network.Summary();
network.Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
var rng = new Random(0);
var x = new Tensor(216, 64, 64, 3); var y = new Tensor(216, 2);
for (int i = 0; i < 216; i++) { int c = i % 2; y[i * 2 + c] = 1; for (int j = 0; j < 64 * 64 * 3; j++) x[i * 12288 + j] = (float)rng.NextDouble() * 0.5f + c * 0.2f; }
var xv = new Tensor(54, 64, 64, 3); var yv = new Tensor(54, 2);
for (int i = 0; i < 54; i++) { int c = i % 2; yv[i * 2 + c] = 1; for (int j = 0; j < 64 * 64 * 3; j++) xv[i * 12288 + j] = (float)rng.NextDouble() * 0.5f + c * 0.2f; }
var sw = System.Diagnostics.Stopwatch.StartNew();
var h = network.Fit(new ArraySequence(x, y, 8, shuffle: true), epochs: 3, validationData: new ArraySequence(xv, yv, 1));
Console.WriteLine($"{sw.Elapsed.TotalSeconds / 3:F2} s/epoch");
