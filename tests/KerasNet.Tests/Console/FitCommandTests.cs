#nullable enable
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// <c>kerasnet fit</c> end to end, in-process: continued training from a file's training config, overrides, and the
/// errors. Seeded runs are compared with the same training through the API, so the tests share the seed lock.
/// </summary>
public sealed class FitCommandTests
{
    private readonly string _dir = Oracle.TempDir();

    private (string Model, string X, string Y) SavedCnn(Optimizer optimizer, int samples = 32, bool compile = true)
    {
        var model = CliModels.SmallCnn(seed: 11);
        if (compile) model.Compile(optimizer, "categorical_crossentropy", ["accuracy"]);
        string path = Path.Combine(_dir, "start.h5");
        model.Save(path);
        var (x, y) = CliModels.Images(samples, seed: 5);
        return (path, CliModels.SaveNpy(_dir, "x.npy", x), CliModels.SaveNpy(_dir, "y.npy", y));
    }

    [Fact]
    public void FitContinuesTrainingAndWritesALoadableModel()
    {
        var (start, x, y) = SavedCnn(new Adam(0.01));
        string trained = Path.Combine(_dir, "out", "trained.h5");
        var r = CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--epochs", "6", "--batch-size", "8", "--seed", "2", "--output", trained);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Equal("", r.Error);
        Assert.Contains("Optimizer Adam (learning_rate=0.009999999776482582, from the file); loss categorical_crossentropy (from the file); metrics accuracy", r.Out);
        Assert.Contains("Epoch 1/6", r.Out);
        Assert.Contains("Epoch 6/6", r.Out);
        Assert.Contains("4/4 [==============================] - ", r.Out);
        Assert.Contains(" - accuracy: ", r.Out);
        Assert.EndsWith($"Wrote {trained}\n", r.Out.Replace("\r\n", "\n"));
        var losses = CliModels.EpochLosses(r.Out);
        Assert.Equal(6, losses.Length);
        Assert.True(losses[^1] < losses[0], $"losses {string.Join(", ", losses)}");

        Model before = Keras.LoadModel(start), after = Keras.LoadModel(trained);
        CliModels.AssertSameWeights(before, after, equal: false);
        // The file keeps the training config and Adam's state: 6 epochs of 4 steps.
        Assert.True(after.IsCompiled);
        Assert.Equal("Adam", after.Optimizer!.ClassName);
        Assert.Equal(24, after.Optimizer.Iterations);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "out"), "*.tmp"));
    }

    [Fact]
    public void LearningRateAloneKeepsTheFilesOptimizerAndEqualsTheApi()
    {
        var (start, x, y) = SavedCnn(new SGD(0.01));
        string cli = Path.Combine(_dir, "cli.h5");
        var r = CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--batch-size", "8", "--learning-rate", "0.2", "--seed", "7", "--output", cli);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Contains("Optimizer SGD (learning_rate=0.2, from the file, learning rate from --learning-rate)", r.Out);

        // The same epoch through the API: load_model, set the learning rate, the same seed before fit.
        Tensor xs = Npy.Load(x), ys = Npy.Load(y);
        Model api = Keras.LoadModel(start);
        api.Optimizer!.LearningRate = 0.2;
        KerasRandom.SetRandomSeed(7);
        api.Fit(xs, ys, batchSize: 8, epochs: 1, verbose: 0);
        Model fromCli = Keras.LoadModel(cli);
        CliModels.AssertSameWeights(api, fromCli);
        Assert.Equal("SGD", fromCli.Optimizer!.ClassName);
        Assert.Equal(0.2, fromCli.Optimizer.LearningRate, 6);

        // ... and the file's own rate gives other weights, so the override took effect.
        Model plain = Keras.LoadModel(start);
        KerasRandom.SetRandomSeed(7);
        plain.Fit(xs, ys, batchSize: 8, epochs: 1, verbose: 0);
        CliModels.AssertSameWeights(plain, fromCli, equal: false);
    }

    [Fact]
    public void OptimizerAndLossOverridesAndValidationSplitEqualTheApi()
    {
        var (start, x, y) = SavedCnn(new Adam(), samples: 40);
        string cli = Path.Combine(_dir, "cli.keras");
        var r = CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--batch-size", "8", "--epochs", "2", "--optimizer", "RMSprop",
            "--learning-rate", "0.005", "--loss", "mean_squared_error", "--validation-split", "0.25", "--no-shuffle", "--output", cli);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Contains("Optimizer RMSprop (learning_rate=0.005, from --optimizer and --learning-rate); loss mean_squared_error (from --loss); metrics accuracy", r.Out);
        Assert.Contains(" - val_loss: ", r.Out);
        Assert.Contains("4/4 [", r.Out); // 30 training samples at batch 8

        Tensor xs = Npy.Load(x), ys = Npy.Load(y);
        Model api = Keras.LoadModel(start);
        api.Compile(new RMSprop(0.005), "mean_squared_error", ["accuracy"]);
        api.Fit(xs, ys, batchSize: 8, epochs: 2, verbose: 0, validationSplit: 0.25, shuffle: false);
        Model fromCli = Keras.LoadModel(cli);
        CliModels.AssertSameWeights(api, fromCli);
        Assert.Equal("RMSprop", fromCli.Optimizer!.ClassName);
        Assert.Equal("mean_squared_error", fromCli.Loss!.Name);
    }

    [Fact]
    public void UncompiledModelNeedsOptimizerAndLoss()
    {
        var (start, x, y) = SavedCnn(new Adam(), compile: false);
        var r = CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--output", Path.Combine(_dir, "o.h5"));
        CliRunner.AssertOneLineError(r, 1, "start.h5", "no training configuration", "--optimizer NAME and --loss NAME");
        var onlyLoss = CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--loss", "mse", "--output", Path.Combine(_dir, "o.h5"));
        CliRunner.AssertOneLineError(onlyLoss, 1, "give --optimizer NAME.");
        Assert.False(File.Exists(Path.Combine(_dir, "o.h5")));
        var ok = CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--optimizer", "sgd", "--loss", "categorical_crossentropy", "--output", Path.Combine(_dir, "o.h5"));
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Contains("Optimizer SGD (learning_rate=0.01, from --optimizer); loss categorical_crossentropy (from --loss)", ok.Out);
        Assert.True(Keras.LoadModel(Path.Combine(_dir, "o.h5")).IsCompiled);
    }

    [Fact]
    public void ShapeErrorsNameTheArgumentAndTheExpectedShape()
    {
        var (start, x, y) = SavedCnn(new Adam(), samples: 8);
        string wrongX = CliModels.SaveNpy(_dir, "wrong_x.npy", new Tensor(8, CliModels.W, CliModels.H, 3));
        string wrongY = CliModels.SaveNpy(_dir, "wrong_y.npy", new Tensor(8, 3));
        string fewY = CliModels.SaveNpy(_dir, "few_y.npy", new Tensor(7, 2));
        string o = Path.Combine(_dir, "o.h5");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", wrongX, "--y", y, "--output", o), 1,
            $"--x {wrongX}: shape (8, 10, 12, 3)", "input 'c1_input'", "expects (None, 12, 10, 3)");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", x, "--y", wrongY, "--output", o), 1,
            $"--y {wrongY}: shape (8, 3)", "output 'out' (None, 2)", "categorical_crossentropy", "expected (8, 2)");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", x, "--y", fewY, "--output", o), 1,
            $"--y {fewY} has 7 samples but --x {x} has 8");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--validation-split", "0.9", "--output", o), 1,
            "--validation-split 0.9 of 8 samples leaves no training samples");
        // Sparse targets: class indices, (N,) or (N, 1).
        var labels = new Tensor(8);
        for (int i = 0; i < 8; i++) labels[i] = i % 2;
        string sparse = CliModels.SaveNpy(_dir, "labels.npy", labels);
        var ok = CliRunner.Run("fit", "--model", start, "--x", x, "--y", sparse, "--loss", "sparse_categorical_crossentropy", "--output", o);
        Assert.True(ok.ExitCode == 0, ok.Error);
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--loss", "sparse_categorical_crossentropy", "--output", o), 1,
            "sparse_categorical_crossentropy", "expected (8,)");
    }

    [Theory]
    [InlineData("fit --model m.h5 --y y.npy --output o.h5", "--x")]
    [InlineData("fit --model m.h5 --x x.npy --output o.h5", "--y")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy", "--output")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.json", "--output must be a .h5, .hdf5 or .keras")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.weights.h5", "--output must be a .h5, .hdf5 or .keras")]
    [InlineData("fit --model m.h5 --x x.txt --y y.npy --output o.h5", "--x takes .npy arrays, got 'x.txt'")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.h5 --epochs 0", "--epochs must be a positive integer")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.h5 --validation-split 1", "--validation-split must be in [0, 1)")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.h5 --learning-rate -0.1", "--learning-rate must be a finite positive number")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.h5 --optimizer adagradx", "--optimizer must be one of sgd, rmsprop, adam, adamw, adamax, nadam, adagrad, adadelta, ftrl")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.h5 --loss hinge2", "Unknown loss 'hinge2'")]
    [InlineData("fit --model m.h5 --x x.npy --y y.npy --output o.h5 --verbose 3", "--verbose must be 0, 1 or 2")]
    [InlineData("fit --x x.npy --y y.npy --output o.h5", "missing --model")]
    [InlineData("fit --json m.json --x x.npy --y y.npy --output o.h5", "add --weights")]
    public void BadArgumentsExit2(string args, string expected)
    {
        var r = CliRunner.Run(args.Split(' '));
        CliRunner.AssertOneLineError(r, 2, expected);
    }

    [Fact]
    public void ArrayCountMustMatchTheModelsInputsAndOutputs()
    {
        var (start, x, y) = SavedCnn(new Adam(), samples: 8);
        string o = Path.Combine(_dir, "o.h5");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", x, "--x", x, "--y", y, "--output", o), 2,
            "model 'small_cnn' has 1 input (c1_input) but 2 --x were given");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", x, "--y", y, "--y", y, "--output", o), 2,
            "model 'small_cnn' has 1 output (out) but 2 --y were given");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", Path.Combine(_dir, "absent.npy"), "--y", y, "--output", o), 1, "absent.npy");
        Assert.False(File.Exists(o));
    }

    [Fact]
    public void FitsAFunctionalModelWithTwoInputsAndTwoOutputs()
    {
        var model = CliModels.TwoBranch(seed: 3);
        model.Compile(new Adam(0.01), "mse");
        string start = Path.Combine(_dir, "two.h5");
        model.Save(start);
        Tensor a = CliModels.Random(1, 24, 4), b = CliModels.Random(2, 24, 3), ya = CliModels.Random(3, 24, 2), yb = CliModels.Random(4, 24, 1);
        string pa = CliModels.SaveNpy(_dir, "a.npy", a), pb = CliModels.SaveNpy(_dir, "b.npy", b);
        string pya = CliModels.SaveNpy(_dir, "ya.npy", ya), pyb = CliModels.SaveNpy(_dir, "yb.npy", yb);
        string cli = Path.Combine(_dir, "two_trained.h5");
        var r = CliRunner.Run("fit", "--model", start, "--x", pa, "--x", pb, "--y", pya, "--y", pyb, "--epochs", "3", "--batch-size", "6", "--seed", "4", "--output", cli);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Contains(" - out_a_loss: ", r.Out);
        Assert.Contains(" - out_b_loss: ", r.Out);

        Model api = Keras.LoadModel(start);
        KerasRandom.SetRandomSeed(4);
        api.Fit([a, b], [ya, yb], batchSize: 6, epochs: 3, verbose: 0);
        CliModels.AssertSameWeights(api, Keras.LoadModel(cli));

        // Arrays in the wrong order: the message names the --x and the input it was checked against.
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", pb, "--x", pa, "--y", pya, "--y", pyb, "--output", cli), 1,
            $"--x #1 ({pb}): shape (24, 3)", "input 'in_a', which expects (None, 4)");
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", pa, "--y", pya, "--y", pyb, "--output", cli), 2,
            "has 2 inputs (in_a, in_b) but 1 --x was given");
    }
}
