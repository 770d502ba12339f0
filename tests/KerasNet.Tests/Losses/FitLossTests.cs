#nullable enable
using KerasNet.Losses;
using KerasNet.Models;
using KerasNet.Tests.Console;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Losses;

/// <summary>
/// <c>kerasnet fit</c> continues training with each loss a file's training_config names (by Keras's function name, an
/// alias, or a loss object with arguments) and gives the weights the same training through the API gives.
/// </summary>
public sealed class FitLossTests
{
    private readonly string _dir = Oracle.TempDir();

    public static TheoryData<string> Names => new()
    {
        "mean_squared_error", "mae", "mape", "msle", "huber", "log_cosh", "hinge", "squared_hinge", "categorical_hinge",
        "kld", "poisson", "cosine_similarity", "binary_crossentropy", "categorical_crossentropy",
        "object:huber", "object:smoothed",
    };

    private static void Compile(Model m, string name)
    {
        // Objects carry arguments that a name cannot: they must reach the file's training_config and come back.
        if (name == "object:huber") m.Compile(new KerasNet.Optimizers.Adam(), new Huber(delta: 0.25), ["accuracy"]);
        else if (name == "object:smoothed") m.Compile(new KerasNet.Optimizers.Adam(), new CategoricalCrossentropy(labelSmoothing: 0.2), ["accuracy"]);
        else m.Compile("adam", name, ["accuracy"]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FitContinuesWithTheFilesLoss(string name)
    {
        var model = CliModels.SmallCnn(seed: 11);
        Compile(model, name);
        var (x, y) = CliModels.Images(16, seed: 5);
        KerasRandom.SetRandomSeed(3);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        string start = Path.Combine(_dir, "start.h5");
        model.Save(start);
        string xs = CliModels.SaveNpy(_dir, "x.npy", x), ys = CliModels.SaveNpy(_dir, "y.npy", y);

        string cli = Path.Combine(_dir, "cli.h5");
        var r = CliRunner.Run("fit", "--model", start, "--x", xs, "--y", ys, "--batch-size", "8", "--epochs", "2", "--seed", "7", "--output", cli);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        // The CLI names the loss by Keras's function name, whatever alias the file holds.
        var keras = new Dictionary<string, string>
        {
            ["mae"] = "mean_absolute_error", ["mape"] = "mean_absolute_percentage_error", ["msle"] = "mean_squared_logarithmic_error",
            ["huber"] = "huber_loss", ["kld"] = "kl_divergence",
        };
        if (!name.StartsWith("object:", StringComparison.Ordinal))
            Assert.True(r.Out.Contains($"loss {keras.GetValueOrDefault(name, name)} (from the file)"), r.Out);

        Model api = Keras.LoadModel(start);
        Assert.Equal(model.Loss!.GetConfig().ToJsonString(), api.Loss!.GetConfig().ToJsonString());
        KerasRandom.SetRandomSeed(7);
        api.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        Model fromCli = Keras.LoadModel(cli);
        Assert.Equal(model.Loss.GetConfig().ToJsonString(), fromCli.Loss!.GetConfig().ToJsonString());
        CliModels.AssertSameWeights(api, fromCli);
        CliModels.AssertSameWeights(Keras.LoadModel(start), fromCli, equal: false);
    }
}
