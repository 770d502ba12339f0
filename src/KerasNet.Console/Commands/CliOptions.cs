#nullable enable
using System.CommandLine;
using System.Globalization;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>Option builders shared by the commands, so the same option reads and validates the same everywhere.</summary>
internal static class CliOptions
{
    /// <summary>An integer option that must be positive (a parse error, exit 2, otherwise).</summary>
    public static Option<int> PositiveInt(string name, int defaultValue, string description)
    {
        var o = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "N" };
        // Validators see the raw token: a token that is not a number already has the parser's own error.
        o.Validators.Add(r =>
        {
            if (Token(r) is { } t && int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v <= 0)
                r.AddError($"{name} must be a positive integer, got {t}.");
        });
        return o;
    }

    /// <summary>A non-negative floating-point option (tolerances, rescale factors).</summary>
    public static Option<double> NonNegativeDouble(string name, double defaultValue, string description)
    {
        var o = new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "X" };
        o.Validators.Add(r =>
        {
            if (Token(r) is { } t && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && (!(v >= 0) || double.IsInfinity(v)))
                r.AddError($"{name} must be a finite non-negative number, got {t}.");
        });
        return o;
    }

    /// <summary>A floating-point option that must be finite and positive (learning rates); no default (null when absent).</summary>
    public static Option<double?> PositiveDouble(string name, string description)
    {
        var o = new Option<double?>(name) { Description = description, HelpName = "X" };
        o.Validators.Add(r =>
        {
            if (Token(r) is { } t && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && (!(v > 0) || double.IsInfinity(v)))
                r.AddError($"{name} must be a finite positive number, got {t}.");
        });
        return o;
    }

    /// <summary>A fraction in [0, 1) (Keras's <c>validation_split</c>).</summary>
    public static Option<double> Fraction(string name, string description)
    {
        var o = new Option<double>(name) { Description = description, DefaultValueFactory = _ => 0, HelpName = "F" };
        o.Validators.Add(r =>
        {
            if (Token(r) is { } t && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !(v >= 0 && v < 1))
                r.AddError($"{name} must be in [0, 1), got {t}.");
        });
        return o;
    }

    /// <summary>A path option that may be repeated (<c>--x a.npy --x b.npy</c>), in the order given.</summary>
    public static Option<string[]> Paths(string name, string description, bool required = false, string helpName = "FILE") =>
        new(name) { Description = description, Required = required, HelpName = helpName, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    /// <summary>The option's single token as typed, or null when it was not given (its default applies).</summary>
    private static string? Token(System.CommandLine.Parsing.OptionResult r) => r.Tokens.Count == 1 ? r.Tokens[0].Value : null;

    /// <summary>A path option; its existence is checked when the command runs, so the message can name the file (exit 1).</summary>
    public static Option<string?> Path(string name, string description, bool required = false, string helpName = "FILE") =>
        new(name) { Description = description, Required = required, HelpName = helpName };

    /// <summary><c>--target-size H W</c>: two positive integers.</summary>
    public static Option<int[]?> TargetSize()
    {
        var o = new Option<int[]?>("--target-size")
        {
            Description = "Resize images to H W (default: the model's input size).",
            Arity = new ArgumentArity(2, 2),
            HelpName = "H W",
            AllowMultipleArgumentsPerToken = true,
        };
        o.Validators.Add(r =>
        {
            foreach (var t in r.Tokens)
                if (int.TryParse(t.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v <= 0)
                    r.AddError($"--target-size needs two positive integers, got {string.Join(" ", r.Tokens.Select(x => x.Value))}.");
        });
        return o;
    }

    /// <summary><c>--color-mode rgb|grayscale</c>.</summary>
    public static Option<string?> ColorMode()
    {
        var o = new Option<string?>("--color-mode") { Description = "rgb or grayscale (default: from the model's input channels)." };
        o.AcceptOnlyFromAmong("rgb", "grayscale");
        return o;
    }

    /// <summary><c>--rescale F</c>: the factor applied to 0..255 pixels (the tutorial's 1/255 by default).</summary>
    public static Option<double> Rescale() =>
        NonNegativeDouble("--rescale", 1.0 / 255, "Multiply pixels (0..255) by this factor, as ImageDataGenerator(rescale=...) (default: 1/255, as in the tutorial).");

    /// <summary><c>--skip-invalid</c>: skip images that cannot be decoded (counted and reported) instead of failing.</summary>
    public static Option<bool> SkipInvalid() =>
        new("--skip-invalid") { Description = "Skip image files that cannot be decoded (they are counted and listed) instead of stopping." };

    /// <summary>
    /// A byte count: digits with an optional binary suffix K, M, G or T (KiB, MiB, GiB, TiB; "B", "iB" also accepted),
    /// e.g. <c>8G</c>, <c>512M</c>, <c>1.5G</c>; null when not a positive size that fits 64 bits.
    /// </summary>
    public static long? ParseSize(string text)
    {
        var t = text.Trim();
        if (t.EndsWith("iB", StringComparison.OrdinalIgnoreCase)) t = t[..^2];
        else if (t.EndsWith('B') || t.EndsWith('b')) t = t[..^1];
        int shift = t.Length == 0 ? 0 : char.ToUpperInvariant(t[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        if (shift > 0) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float & ~NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double v) || !(v > 0)) return null;
        double bytes = Math.Floor(v * Math.Pow(2, shift));
        return bytes >= 1 && bytes < 9.2e18 ? (long)bytes : null;
    }

    /// <summary>The options that name a model: <c>--model FILE</c>, or <c>--json F</c> with <c>--weights F</c>.</summary>
    public sealed class ModelOptions
    {
        public Option<string?> Model { get; } = Path("--model", "Model file: .h5, .hdf5 or .keras (Keras formats), or a .json architecture.");
        public Option<string?> Json { get; } = Path("--json", "Architecture as Keras JSON (model.to_json()); use with --weights.");
        public Option<string?> Weights { get; } = Path("--weights", "Weights file (.h5/.hdf5, as model.save_weights) for --json or a .json --model.");
        public Option<string?> MaxMemory { get; } = MaxModelMemory();

        /// <summary>Adds the options to a command.</summary>
        public void AddTo(Command c) { c.Options.Add(Model); c.Options.Add(Json); c.Options.Add(Weights); c.Options.Add(MaxMemory); }

        private static Option<string?> MaxModelMemory()
        {
            var o = new Option<string?>("--max-model-memory")
            {
                HelpName = "SIZE",
                Description = "The memory a loaded model may need for its weights and one sample's layer outputs (default 2G; K, M, G, T suffixes); a larger model is refused at load.",
            };
            o.Validators.Add(r =>
            {
                if (Token(r) is { } t && ParseSize(t) == null) r.AddError($"--max-model-memory must be a positive size such as 4G or 512M, got '{t}'.");
            });
            return o;
        }

        /// <summary>Resolves the options to a model source (exit 2 when they conflict or are missing).</summary>
        public ModelSource Resolve(ParseResult p, bool weightsRequired)
        {
            string? model = p.GetValue(Model), json = p.GetValue(Json), weights = p.GetValue(Weights);
            if (p.GetValue(MaxMemory) is { } size) KerasContext.Current.Limits.MaxModelBytes = ParseSize(size)!.Value;
            if (model != null && json != null) throw new UsageException("give either --model or --json, not both.");
            if (model == null && json == null) throw new UsageException("missing --model FILE (or --json FILE with --weights FILE).");
            var src = new ModelSource(model ?? json!, weights);
            if (weightsRequired && src.IsJson && weights == null)
                throw new UsageException($"{src.Path} holds only the architecture; add --weights FILE.");
            if (!src.IsJson && weights != null)
                throw new UsageException("--weights goes with a .json architecture; a .h5/.hdf5/.keras model already holds its weights.");
            return src;
        }
    }
}
