using KerasNet.Engine;

/// <summary>
/// What the samples share: their command line (the Python programs' <c>sys.argv</c> handling) and Python's
/// <c>x[:n]</c> for a batch-first tensor.
/// </summary>
internal static class SampleArgs
{
    /// <summary><c>[OUTPUT_DIR] [--epochs N]</c>; the folder defaults to TEMP/kerasnet-samples/SAMPLE.</summary>
    public static (string Output, int Epochs) Parse(string[] args, string sample, int defaultEpochs)
    {
        string output = Path.Combine(Path.GetTempPath(), "kerasnet-samples", sample);
        int epochs = defaultEpochs;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--epochs" && i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0) { epochs = e; i++; }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"usage: {sample} [OUTPUT_DIR] [--epochs N] (unknown or incomplete option '{args[i]}')");
                Environment.Exit(2);
            }
            else output = args[i];
        }
        return (output, epochs);
    }

    public static Tensor First(Tensor t, int n) => new(t.Span[..(n * t.SampleSize)].ToArray(), [n, .. t.Shape[1..]]);
}
