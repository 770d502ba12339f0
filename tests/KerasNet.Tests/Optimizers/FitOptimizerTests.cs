#nullable enable
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Optimizers.Schedules;
using KerasNet.Saving;
using KerasNet.Tests.Console;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// <c>kerasnet fit</c> continues training with each optimizer named in a file's training_config, with the state
/// saved in the file, and gives the weights the same training through the API gives.
/// </summary>
public sealed class FitOptimizerTests
{
    private readonly string _dir = Oracle.TempDir();

    public static TheoryData<string> Names => new() { "SGD", "RMSprop", "Adam", "AdamW", "Adamax", "Nadam", "Adagrad", "Adadelta", "Ftrl", "schedule" };

    private static Optimizer Make(string name) => name == "schedule"
        ? new SGD(new InverseTimeDecay(0.05, 2, 0.5), momentum: 0.5) { Clipnorm = 1.0 }
        : Optimizer.Get(name);

    [Theory]
    [MemberData(nameof(Names))]
    public void FitContinuesWithTheFilesOptimizerAndItsState(string name)
    {
        var model = CliModels.SmallCnn(seed: 11);
        model.Compile(Make(name), "categorical_crossentropy", ["accuracy"]);
        var (x, y) = CliModels.Images(16, seed: 5);
        // One epoch first, so the file carries optimizer state as well as the config.
        KerasRandom.SetRandomSeed(3);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        string start = Path.Combine(_dir, "start.h5");
        model.Save(start);
        string xs = CliModels.SaveNpy(_dir, "x.npy", x), ys = CliModels.SaveNpy(_dir, "y.npy", y);

        string cli = Path.Combine(_dir, "cli.keras");
        var r = CliRunner.Run("fit", "--model", start, "--x", xs, "--y", ys, "--batch-size", "8", "--epochs", "2", "--seed", "7", "--output", cli);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        string cls = model.Optimizer!.ClassName;
        Assert.Contains($"Optimizer {cls} (learning_rate=", r.Out);
        Assert.Contains(", from the file); loss categorical_crossentropy (from the file)", r.Out);

        Model api = Keras.LoadModel(start);
        Assert.Equal(2, api.Optimizer!.Iterations);
        KerasRandom.SetRandomSeed(7);
        api.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        Model fromCli = Keras.LoadModel(cli);
        Assert.Equal(cls, fromCli.Optimizer!.ClassName);
        Assert.Equal(6, fromCli.Optimizer.Iterations);
        CliModels.AssertSameWeights(api, fromCli);
        CliModels.AssertSameWeights(Keras.LoadModel(start), fromCli, equal: false);
        if (name == "schedule") Assert.IsType<InverseTimeDecay>(fromCli.Optimizer.Schedule);
    }
}
