#nullable enable
using System.CommandLine;
using System.Globalization;
using KerasNet.Serving;
using Microsoft.Extensions.Hosting;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// <c>kerasnet serve</c>: serves models over TensorFlow Serving's REST API (<c>POST /v1/models/NAME:predict</c>,
/// <c>GET /v1/models/NAME</c>, <c>/metadata</c>), KerasNet's <c>:classify-image</c>, <c>/healthz</c> and a web page
/// at <c>/</c> (<see cref="ServeApp"/>). Runs until SIGTERM or Ctrl-C, then finishes the requests in flight and exits 0.
/// </summary>
public static class ServeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var defaults = new ServeOptions();
        var models = new Option<string[]>("--model")
        {
            Description = "A model file (.h5, .hdf5 or .keras) served under its file name without extension, or NAME=FILE; repeat for several models.",
            Required = true, HelpName = "[NAME=]FILE", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false,
        };
        var port = new Option<int>("--port") { Description = "TCP port (TF Serving's REST port by default; 0: any free port, printed at start).", DefaultValueFactory = _ => defaults.Port, HelpName = "N" };
        port.Validators.Add(r => { if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, out int v) && v is < 0 or > 65535) r.AddError($"--port must be 0..65535, got {v}."); });
        var host = new Option<string>("--host") { Description = "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).", DefaultValueFactory = _ => defaults.Host, HelpName = "ADDRESS" };
        var maxBatch = CliOptions.PositiveInt("--max-batch-size", defaults.MaxBatchSize, "Most rows batched into one Predict call (TF Serving's max_batch_size).");
        var timeoutMicros = new Option<long>("--batch-timeout-micros") { Description = "How long a batch waits for more requests, in microseconds (TF Serving's batch_timeout_micros; 0: only what is queued).", DefaultValueFactory = _ => defaults.BatchTimeoutMicros, HelpName = "N" };
        timeoutMicros.Validators.Add(r => { if (r.Tokens.Count == 1 && long.TryParse(r.Tokens[0].Value, out long v) && v < 0) r.AddError($"--batch-timeout-micros must be >= 0, got {v}."); });
        var threads = CliOptions.PositiveInt("--num-batch-threads", defaults.NumBatchThreads, "Batches run at once per model (TF Serving's num_batch_threads; default: the processor count).");
        var enqueued = CliOptions.PositiveInt("--max-enqueued-batches", defaults.MaxEnqueuedBatches, "Batches that may wait per model before requests get 503 (TF Serving's max_enqueued_batches).");
        var noBatching = new Option<bool>("--no-batching") { Description = "Run each request's Predict on its own (TF Serving without --enable_batching)." };
        var maxBody = new Option<string?>("--max-request-size") { Description = "Largest request body (default 64M; K, M, G suffixes); larger gets 413.", HelpName = "SIZE" };
        maxBody.Validators.Add(r => { if (r.Tokens.Count == 1 && CliOptions.ParseSize(r.Tokens[0].Value) == null) r.AddError($"--max-request-size must be a positive size such as 64M, got '{r.Tokens[0].Value}'."); });
        var requestTimeout = CliOptions.PositiveDouble("--request-timeout", "Longest a request may take, in seconds (default 30); past it the answer is 504 (DEADLINE_EXCEEDED).");
        var maxPixels = new Option<long>("--max-image-pixels") { Description = "Largest uploaded image in pixels, checked before decoding (default 4096 x 4096); larger gets 413.", DefaultValueFactory = _ => defaults.MaxImagePixels, HelpName = "N" };
        maxPixels.Validators.Add(r => { if (r.Tokens.Count == 1 && long.TryParse(r.Tokens[0].Value, out long v) && v <= 0) r.AddError($"--max-image-pixels must be positive, got {v}."); });
        var targetSize = CliOptions.TargetSize();
        targetSize.Description = "Resize uploaded images to H W (default: the model's sidecar file, else its input size).";
        var rescale = CliOptions.PositiveDouble("--rescale", "Multiply uploaded image pixels (0..255) by this (default: the sidecar file's, else 1/255).");
        var colorMode = CliOptions.ColorMode();
        var classNames = new Option<string?>("--class-names") { Description = "Comma-separated class names of the output units, in index order (default: the sidecar file's, else the indices).", HelpName = "A,B,..." };
        var log = CliOptions.Path("--log", "Append the request log (one JSON line per request) to this file instead of standard output.");

        var command = new Command("serve", "Serve models over TensorFlow Serving's REST API (predict, status, metadata), an image classification endpoint and a web page, with dynamic batching.");
        foreach (var o in new Option[] { models, port, host, maxBatch, timeoutMicros, threads, enqueued, noBatching, maxBody, requestTimeout, maxPixels, targetSize, rescale, colorMode, classNames, log })
            command.Options.Add(o);
        command.SetAction(p =>
        {
            var options = new ServeOptions
            {
                Host = p.GetValue(host)!,
                Port = p.GetValue(port),
                MaxBatchSize = p.GetValue(maxBatch),
                BatchTimeoutMicros = p.GetValue(timeoutMicros),
                NumBatchThreads = p.GetValue(threads),
                MaxEnqueuedBatches = p.GetValue(enqueued),
                EnableBatching = !p.GetValue(noBatching),
                MaxImagePixels = p.GetValue(maxPixels),
            };
            if (p.GetValue(maxBody) is { } size) options.MaxRequestBodyBytes = CliOptions.ParseSize(size)!.Value;
            if (p.GetValue(requestTimeout) is double seconds) options.RequestTimeout = TimeSpan.FromSeconds(seconds);
            foreach (var spec in p.GetValue(models) ?? []) options.Models.Add(ParseModel(spec));
            var size2 = p.GetValue(targetSize);
            string? names = p.GetValue(classNames);
            if (size2 != null || p.GetValue(rescale) != null || p.GetValue(colorMode) != null || names != null)
                options.Preprocessing = new ImagePreprocessing
                {
                    TargetSize = size2 is { Length: 2 } ? (size2[0], size2[1]) : null,
                    Rescale = p.GetValue(rescale),
                    ColorMode = p.GetValue(colorMode),
                    ClassNames = names?.Split(',', StringSplitOptions.TrimEntries),
                };
            return Run(context, options, p.GetValue(log));
        });
        return command;
    }

    /// <summary><c>FILE</c> (named by its file name without extension) or <c>NAME=FILE</c>.</summary>
    internal static (string Name, string Path) ParseModel(string spec)
    {
        int eq = spec.IndexOf('=');
        // A Windows path such as C:\m.h5 has no '='; a name never holds path separators.
        if (eq > 0 && spec[..eq].IndexOfAny(['/', '\\']) < 0) return (spec[..eq], spec[(eq + 1)..]);
        if (eq == 0) throw new UsageException($"--model '{spec}': the name before '=' is empty.");
        return (Path.GetFileNameWithoutExtension(spec), spec);
    }

    private static int Run(CliContext context, ServeOptions options, string? logPath)
    {
        TextWriter? logFile = null;
        try
        {
            if (logPath != null)
            {
                try { logFile = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true }; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new KerasNetException($"{logPath}: cannot open the request log ({e.Message}).", e);
                }
            }
            var app = ServeApp.Build(options, logFile ?? context.Out);
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                throw new KerasNetException($"cannot listen on {options.Host}:{options.Port} ({e.Message}).", e);
            }
            var address = ServeApp.Address(app);
            foreach (var m in ServeApp.Models(app).All)
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Serving model '{m.Name}' ({m.Path}) at {address}v1/models/{m.Name}"));
            context.Error.WriteLine($"Listening on {address} (Ctrl-C or SIGTERM to stop)");
            context.Error.Flush();
            // Returns once SIGTERM/Ctrl-C stopped the host, after the requests in flight were answered.
            app.WaitForShutdownAsync().GetAwaiter().GetResult();
            ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
            context.Error.WriteLine("Stopped: every request in flight was answered.");
            return Cli.Success;
        }
        finally { logFile?.Dispose(); }
    }
}
