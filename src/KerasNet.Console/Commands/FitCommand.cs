#nullable enable
using System.CommandLine;
using System.Globalization;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Utils;
using LossFn = KerasNet.Losses.Loss;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// <c>kerasnet fit --model FILE --x X.npy --y Y.npy --output OUT</c>: continues training a saved model on .npy arrays,
/// as <c>model = load_model(FILE); model.fit(x, y, ...); model.save(OUT)</c>. The optimizer (with its state) and the
/// loss come from the file's training config unless <c>--optimizer</c>, <c>--learning-rate</c> or <c>--loss</c> say
/// otherwise; Keras's progress text goes to standard output and OUT is written atomically.
/// </summary>
public static class FitCommand
{
    /// <summary>The optimizer names <c>--optimizer</c> takes (any case), as Keras's strings.</summary>
    public static readonly string[] OptimizerNames = Optimizer.KnownNames.Select(n => n.ToLowerInvariant()).ToArray();

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new CliOptions.ModelOptions();
        var x = CliOptions.Paths("--x", "Training inputs as .npy (samples first); repeat once per model input, in the model's input order.", required: true, helpName: "X.npy");
        var y = CliOptions.Paths("--y", "Training targets as .npy (samples first); repeat once per model output, in the model's output order.", required: true, helpName: "Y.npy");
        var epochs = CliOptions.PositiveInt("--epochs", 1, "Training epochs (Keras's default: 1).");
        var batchSize = CliOptions.PositiveInt("--batch-size", 32, "Samples per batch (Keras's default: 32).");
        var validationSplit = CliOptions.Fraction("--validation-split", "Hold out this last fraction of the samples (taken before shuffling) for validation, as Keras's validation_split.");
        var noShuffle = new Option<bool>("--no-shuffle") { Description = "Keep the samples in order (Keras's shuffle=False)." };
        var optimizer = new Option<string?>("--optimizer")
        {
            Description = "sgd, rmsprop, adam, adamw, adamax, nadam, adagrad, adadelta or ftrl with Keras's defaults, fresh state (default: the file's optimizer, with its state).",
            HelpName = "NAME",
        };
        optimizer.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && !OptimizerNames.Contains(r.Tokens[0].Value.ToLowerInvariant()))
                r.AddError($"--optimizer must be one of {string.Join(", ", OptimizerNames)}, got '{r.Tokens[0].Value}'.");
        });
        var learningRate = CliOptions.PositiveDouble("--learning-rate",
            "Learning rate; alone it keeps the file's optimizer (class and state) with this rate, with --optimizer it sets the new one's.");
        var loss = new Option<string?>("--loss")
        {
            Description = "categorical_crossentropy, binary_crossentropy, sparse_categorical_crossentropy or mean_squared_error (default: the file's).",
            HelpName = "NAME",
        };
        loss.Validators.Add(r =>
        {
            if (r.Tokens.Count != 1) return;
            try { LossFn.Get(r.Tokens[0].Value); }
            catch (KerasNetException e) { r.AddError($"--loss: {e.Message}"); }
        });
        var seed = new Option<int?>("--seed") { HelpName = "N", Description = "Seed for shuffling and dropout (repeatable runs)." };
        var verbose = new Option<int>("--verbose") { HelpName = "0|1|2", DefaultValueFactory = _ => 1, Description = "Keras's verbose: 0 silent, 1 progress bar, 2 one line per epoch." };
        verbose.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && r.Tokens[0].Value is not ("0" or "1" or "2"))
                r.AddError($"--verbose must be 0, 1 or 2, got {r.Tokens[0].Value}.");
        });
        var output = CliOptions.Path("--output", "Where the trained model goes: .h5, .hdf5 or .keras (with its training config and optimizer state).", required: true, helpName: "OUT");

        var command = new Command("fit", "Continue training a saved model on .npy arrays and save the trained model.");
        model.AddTo(command);
        foreach (var o in new Option[] { x, y, epochs, batchSize, validationSplit, noShuffle, optimizer, learningRate, loss, seed, verbose, output })
            command.Options.Add(o);
        command.SetAction(p =>
        {
            var source = model.Resolve(p, weightsRequired: true);
            string outPath = p.GetValue(output)!;
            if (!ModelStore.IsFullModel(outPath) || outPath.EndsWith(".weights.h5", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--output must be a .h5, .hdf5 or .keras model file, got '{outPath}'.");
            string[] xPaths = p.GetValue(x)!, yPaths = p.GetValue(y)!;
            NpyArrays.RequireNpyNames(xPaths, "--x");
            NpyArrays.RequireNpyNames(yPaths, "--y");

            var network = source.Load();
            var xs = NpyArrays.Inputs(xPaths, network, "--x");
            string settings = Configure(network, source, p.GetValue(optimizer), p.GetValue(learningRate), p.GetValue(loss));
            int samples = xs[0].BatchSize;
            var ys = NpyArrays.Targets(yPaths, network, network.Losses, samples, NpyArrays.Which("--x", xPaths, 0), "--y");
            double split = p.GetValue(validationSplit);
            if (split > 0)
            {
                int train = (int)(samples * (1 - split));
                if (train == 0 || train == samples)
                    throw new KerasNetException($"--validation-split {PyText.Repr(split)} of {samples} samples leaves {(train == 0 ? "no training" : "no validation")} samples.");
            }

            // Before training: OUT's folder can take the model (weights and up to two optimizer slots, float32);
            // temporary files of dead writers there are removed.
            string outDir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
            OutputSet.Check(outDir, [Path.GetFileName(outPath)], network.CountParams() * 12 + (1L << 20));
            Saving.AtomicFile.DeleteStaleTemps(outDir);

            context.Out.WriteLine(settings);
            if (p.GetValue(seed) is int s) KerasRandom.SetRandomSeed(s);
            if (!context.OutIsConsole) network.ProgressOutput = context.Out;
            int epochCount = p.GetValue(epochs);
            using var interrupt = Interruption.Install();
            string keep = File.Exists(outPath) ? $"{outPath} keeps its previous model" : $"{outPath} was not written";
            network.Fit(xs, ys, batchSize: p.GetValue(batchSize), epochs: epochCount, verbose: p.GetValue(verbose),
                validationSplit: split, shuffle: !p.GetValue(noShuffle), callbacks: [interrupt.StopCallback(epochCount)]);
            interrupt.ThrowIfRequested(keep);
            // The save is atomic (temporary file, then rename); a signal during it takes effect once it is done.
            ModelStore.Save(network, outPath);
            context.Out.WriteLine($"Wrote {outPath}");
            interrupt.ThrowIfRequested($"{outPath} was written completely before stopping");
            return Cli.Success;
        });
        return command;
    }

    /// <summary>
    /// Compiles <paramref name="model"/> for the run: the file's optimizer and loss (already compiled in by the loader),
    /// with the options' overrides. Returns a line describing the optimizer and loss used.
    /// </summary>
    internal static string Configure(Model model, ModelSource source, string? optimizerName, double? learningRate, string? lossName)
    {
        if (!model.IsCompiled && (optimizerName == null || lossName == null))
        {
            var missing = new[] { optimizerName == null ? "--optimizer NAME" : null, lossName == null ? "--loss NAME" : null }.Where(m => m != null);
            throw new KerasNetException($"{source.Path}: the model has no training configuration (saved uncompiled, as JSON, or with one KerasNet cannot restore); give {string.Join(" and ", missing)}.");
        }
        string optFrom = "from the file", lossFrom = "from the file";
        var opt = model.Optimizer;
        if (optimizerName != null)
        {
            opt = Optimizer.Get(optimizerName);
            optFrom = "from --optimizer";
        }
        if (learningRate is double lr)
        {
            opt!.LearningRate = lr;
            optFrom = optimizerName != null ? "from --optimizer and --learning-rate" : "from the file, learning rate from --learning-rate";
        }
        if (optimizerName != null || lossName != null)
        {
            string[] losses = lossName != null ? [lossName] : model.Losses.Select(l => l.Name).ToArray();
            if (lossName != null) lossFrom = "from --loss";
            var weights = model.LossWeights.Count > 0 ? model.LossWeights.ToArray() : null;
            // The metric objects carry their settings (an AUC's curve, a renamed metric), which names alone would lose.
            model.Compile(opt!, losses, model.CompileMetrics.Select(m => m.Copy()).ToArray(), weights);
        }
        string lossText = string.Join(", ", model.Losses.Select(l => l.Name).Distinct());
        string metrics = model.MetricNames.Count > 0 ? $"; metrics {string.Join(", ", model.MetricNames)}" : "";
        // A schedule is named, not evaluated: its rate changes step by step.
        string rate = model.Optimizer!.Schedule is { } schedule ? schedule.ClassName : PyText.Repr(model.Optimizer.LearningRate);
        return $"Optimizer {model.Optimizer.ClassName} (learning_rate={rate}, {optFrom}); " +
               $"loss {lossText} ({lossFrom}){metrics}";
    }
}
