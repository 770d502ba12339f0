#nullable enable
using KerasNet.ConsoleApp.Commands;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;
using NumSharp;
using static KerasNet.Sklearn.SklearnMetrics;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp;

/// <summary>
/// <c>kerasnet</c>: the commands live in <c>Commands/</c>; this file is the tutorial itself (the <c>train</c> command),
/// step for step in the order of the Python notebook, each step under the Python line it ports.
/// </summary>
public static class Program
{
    /// <summary>Runs <c>kerasnet</c> with the command line's arguments (none: the tutorial).</summary>
    /// <remarks>The NativeAOT tool first switches to its widest build the CPU runs (<see cref="IsaDispatch"/>).</remarks>
    public static int Main(string[] args) => IsaDispatch.Run(args, Console.Error) ?? Cli.Run(args, Console.Out, Console.Error);

    /// <summary>
    /// The Homer-vs-Bart tutorial: train the CNN, evaluate it, save it and load it back. Like the Python it prints to
    /// standard output (Console.Out, which <see cref="Cli.Run"/> points at its writer).
    /// </summary>
    /// <remarks>
    /// The output folder is checked before anything else (<see cref="OutputSet"/>); every file is written into a staging
    /// folder inside it and moved in only once all are written and both reloads agree, the run record (run.json)
    /// first and network.json/weights.hdf5 last. <paramref name="interrupt"/> stops the run at the end of a training
    /// batch or between two files; the folder then keeps its previous files.
    /// </remarks>
    public static void Tutorial(TrainSettings settings, Interruption? interrupt = null)
    {
        interrupt ??= Interruption.None;
        var (data, output, size) = (settings.DataDirectory, settings.OutputDirectory, settings.ImageSize);
        OutputSet.Check(output, TrainOutputs, requiredBytes: 0);
        string keep = $"{output} keeps its previous files (nothing of this run was moved in)";
        if (settings.Seed is int seed) KerasRandom.SetRandomSeed(seed);

        // gerador_treinamento = ImageDataGenerator(rescale=1./255, rotation_range=7, horizontal_flip=True, zoom_range=0.2)
        var trainingGenerator = new ImageDataGenerator(rescale: 1.0 / 255, rotationRange: 7, horizontalFlip: true, zoomRange: 0.2);
        // dataset_treinamento = gerador_treinamento.flow_from_directory('training_set', target_size=(64, 64), batch_size=8,
        //                                                               class_mode='categorical', shuffle=True)
        var trainingDataset = trainingGenerator.FlowFromDirectory(Path.Combine(data, "training_set"), targetSize: (size, size),
            batchSize: settings.BatchSize, classMode: "categorical", shuffle: true, seed: settings.Seed, skipInvalid: settings.SkipInvalid);
        // gerador_teste = ImageDataGenerator(rescale=1./255)
        var testGenerator = new ImageDataGenerator(rescale: 1.0 / 255);
        // dataset_teste = gerador_teste.flow_from_directory('test_set', target_size=(64, 64), batch_size=1,
        //                                                   class_mode='categorical', shuffle=False)
        var testDataset = testGenerator.FlowFromDirectory(Path.Combine(data, "test_set"), targetSize: (size, size),
            batchSize: 1, classMode: "categorical", shuffle: false, skipInvalid: settings.SkipInvalid);
        CheckSameClasses(trainingDataset.ClassIndices, testDataset.ClassIndices, data);

        // network = Sequential()
        var network = new Sequential();
        // network.add(Conv2D(32, (3,3), input_shape=(64,64,3), activation='relu'))
        network.Add(new Conv2D(32, (3, 3), inputShape: (size, size, 3), activation: "relu"));
        // network.add(MaxPooling2D(pool_size=(2,2)))
        network.Add(new MaxPooling2D(poolSize: (2, 2)));
        network.Add(new Conv2D(32, (3, 3), activation: "relu"));
        network.Add(new MaxPooling2D(poolSize: (2, 2)));
        network.Add(new Conv2D(32, (3, 3), activation: "relu"));
        network.Add(new MaxPooling2D(poolSize: (2, 2)));
        // network.add(Flatten())
        network.Add(new Flatten());
        // network.add(Dense(units=3137, activation='relu'))
        network.Add(new Dense(units: 3137, activation: "relu"));
        network.Add(new Dense(units: 3137, activation: "relu"));
        // network.add(Dense(units=2, activation='softmax'))
        network.Add(new Dense(units: trainingDataset.NumClasses, activation: "softmax"));
        // network.summary()
        network.Summary();

        // Up front: room for weights.hdf5 (weights and Adam's two moments, float32) and the reports.
        using var outputs = OutputSet.Begin(output, TrainOutputs, requiredBytes: network.CountParams() * 12 + (16L << 20));
        interrupt.OnForcedExit(outputs.Dispose);
        string Out(string file) => outputs.PathOf(file);
        interrupt.ThrowIfRequested(keep);

        // network.compile(optimizer='Adam', loss='categorical_crossentropy', metrics=['accuracy'])
        network.Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        // historico = network.fit(dataset_treinamento, epochs=50, validation_data=dataset_teste)
        var history = network.Fit(trainingDataset, epochs: settings.Epochs, validationData: testDataset, callbacks: [interrupt.StopCallback(settings.Epochs)]);
        interrupt.ThrowIfRequested(keep);

        // plt.plot(historico.history['loss']); plt.plot(historico.history['val_loss'])
        Plots.Curves(Out("loss.png"), "Loss", "loss", Series(history.history, "loss"));
        // plt.plot(historico.history['accuracy']); plt.plot(historico.history['val_accuracy'])
        Plots.Curves(Out("accuracy.png"), "Accuracy", "accuracy", Series(history.history, "accuracy"));
        TrainingFiles.WriteHistoryJson(Out("history.json"), history);
        TrainingFiles.WriteHistoryCsv(Out("history.csv"), history);
        interrupt.ThrowIfRequested(keep);

        // previsoes = network.predict(dataset_teste)
        var predictions = network.Predict(testDataset);
        // previsoes = np.argmax(previsoes, axis=1)
        int[] predictedClasses = np.argmax(predictions, axis: 1).astype(NPTypeCode.Int32).ToArray<int>();
        // dataset_teste.class_indices
        Console.WriteLine(PyText.Repr(testDataset.ClassIndices));
        // accuracy_score(dataset_teste.classes, previsoes)
        Console.WriteLine(PyText.Repr(AccuracyScore(testDataset.Classes, predictedClasses)));
        // cm = confusion_matrix(dataset_teste.classes, previsoes); sns.heatmap(cm, annot=True)
        var classNames = testDataset.ClassIndices.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
        var cm = ConfusionMatrix(testDataset.Classes, predictedClasses, labels: Enumerable.Range(0, classNames.Length).ToArray());
        Plots.ConfusionMatrix(Out("confusion_matrix.png"), cm, classNames);
        // print(classification_report(dataset_teste.classes, previsoes))
        string report = ClassificationReport(testDataset.Classes, predictedClasses);
        Console.WriteLine(report);
        Saving.AtomicFile.WriteAllText(Out("classification_report.txt"), report);
        var predictionValues = NDArrays.ToArray2D(NDArrays.ToTensor(predictions));
        TrainingFiles.WritePredictions(Out("predictions.csv"), testDataset.Filenames, testDataset.Classes, predictedClasses, predictionValues, classNames);
        interrupt.ThrowIfRequested(keep);

        // layer_outputs = [layer.output for layer in network.layers if isinstance(layer, Conv2D)]
        // feature_map_model = Model(inputs=network.inputs, outputs=layer_outputs)
        // feature_maps = feature_map_model.predict(dataset_teste[0][0])   (the first test image)
        var featureMaps = FeatureMaps.Compute(network, FeatureMaps.DefaultLayers(network), testDataset.GetBatch(0).X);
        // for each layer: plt.imshow(feature_map[0, :, :, i], cmap='gray') for every channel i, in one grid
        FeatureMaps.Write(Out("feature_maps"), featureMaps, npy: false);
        Console.WriteLine($"Feature maps of {testDataset.Filenames[0]} ({FeatureMaps.Names(featureMaps)}) written to {Path.Combine(output, "feature_maps")}");
        interrupt.ThrowIfRequested(keep);

        // model_json = network.to_json(); with open('network.json', 'w') as json_file: json_file.write(model_json)
        Saving.AtomicFile.WriteAllText(Out("network.json"), network.ToJson());
        // save_model(network, 'weights.hdf5')
        network.Save(Out("weights.hdf5"));
        // How the test images were prepared, for 'kerasnet serve' (read beside the model): size, rescale, class names.
        TrainingFiles.WritePreprocessing(Out(PreprocessingFile), (size, size), 1.0 / 255, classNames);
        interrupt.ThrowIfRequested(keep);

        // network_loaded = model_from_json(open('network.json').read()); network_loaded.load_weights('weights.hdf5')
        var networkLoaded = Keras.ModelFromJson(File.ReadAllText(Out("network.json")));
        networkLoaded.LoadWeights(Out("weights.hdf5"));
        // network_loaded.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])
        networkLoaded.Compile(loss: "categorical_crossentropy", optimizer: "Adam", metrics: ["accuracy"]);
        CheckSamePredictions("network.json + weights.hdf5", network, networkLoaded, testDataset);
        // load_model('weights.hdf5'): the full model file on its own
        CheckSamePredictions("weights.hdf5", network, Keras.LoadModel(Out("weights.hdf5")), testDataset);

        // The run record goes in first, the model files last: a folder whose run.json lists files that are missing or
        // differ was caught in the middle of these renames.
        RunRecord.Write(outputs.Staging, settings, classNames);
        interrupt.ThrowIfRequested(keep);
        outputs.Commit(first: [RunRecord.FileName], last: ["network.json", "weights.hdf5"]);
    }

    /// <summary>What <see cref="Tutorial"/> writes (a trailing '/' marks a folder).</summary>
    public static readonly string[] TrainOutputs =
    [
        RunRecord.FileName, "history.json", "history.csv", "loss.png", "accuracy.png", "confusion_matrix.png", "predictions.csv",
        "classification_report.txt", "feature_maps/", PreprocessingFile, "network.json", "weights.hdf5",
    ];

    /// <summary>The model's preprocessing sidecar (<see cref="KerasNet.Serving.ImagePreprocessing"/>), read by <c>kerasnet serve</c>.</summary>
    public const string PreprocessingFile = "weights.hdf5.preprocessing.json";

    private static IReadOnlyList<(string, IReadOnlyList<double>)> Series(Dictionary<string, List<double>> history, string key) =>
        new[] { ("training", key), ("validation", "val_" + key) }
            .Where(s => history.ContainsKey(s.Item2))
            .Select(s => (s.Item1, (IReadOnlyList<double>)history[s.Item2]))
            .ToList();

    private static void CheckSameClasses(Dictionary<string, int> training, Dictionary<string, int> test, string data)
    {
        if (!training.OrderBy(p => p.Value).Select(p => p.Key).SequenceEqual(test.OrderBy(p => p.Value).Select(p => p.Key)))
            throw new KerasNetException($"{data}: training_set has classes [{string.Join(", ", training.Keys)}] but test_set has [{string.Join(", ", test.Keys)}].");
    }

    private static void CheckSamePredictions(string what, Model trained, Model reloaded, Data.IDataSequence data)
    {
        var expected = trained.PredictTensor(data);
        var actual = reloaded.PredictTensor(data);
        double maxDiff = 0;
        for (int i = 0; i < expected.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
        if (!(maxDiff <= 1e-6))
            throw new KerasNetException($"The model reloaded from {what} predicts differently from the trained one (max abs difference {maxDiff:G6}).");
        Console.WriteLine($"Reloaded from {what}: same predictions on the {data.Samples} test images (max abs difference {maxDiff:G3}).");
    }
}
