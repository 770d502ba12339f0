using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNet.Serving;

/// <summary>
/// How an image becomes model input, as the model's training prepared it (Keras's <c>load_img</c> with
/// <c>target_size</c>, <c>color_mode</c>, <c>interpolation</c>, then <c>ImageDataGenerator(rescale=...)</c>), and the
/// class names of its outputs (<c>class_indices</c> in index order). <c>kerasnet train</c> writes it beside the model
/// as <c>&lt;model file&gt;.preprocessing.json</c> (<see cref="SidecarPath"/>); <c>kerasnet serve</c> reads it on load.
/// </summary>
/// <remarks>The file: <c>{"target_size": [64, 64], "color_mode": "rgb", "interpolation": "nearest", "rescale":
/// 0.00392156862745098, "class_names": ["bart", "homer"], "class_indices": {"bart": 0, "homer": 1}}</c>; every key is
/// optional (absent: the model's input size, its channels' colour mode, nearest, 1/255) (<c>class_indices</c> is read when <c>class_names</c> is absent).</remarks>
public sealed class ImagePreprocessing
{
    /// <summary>(height, width) to resize to; null: the model's input size.</summary>
    public (int Height, int Width)? TargetSize { get; init; }

    /// <summary>"rgb", "grayscale" or "rgba"; null: from the model's input channels (3, 1, 4).</summary>
    public string? ColorMode { get; init; }

    /// <summary>Keras's resize method: "nearest" (Keras's default, also when null), "bilinear", "bicubic", "lanczos", "box" or "hamming".</summary>
    public string? Interpolation { get; init; }

    /// <summary>Factor applied to the 0..255 pixels (Keras's <c>rescale</c>; null: 1/255, the tutorial's).</summary>
    public double? Rescale { get; init; }

    /// <summary><see cref="Interpolation"/> or its default, "nearest".</summary>
    public string InterpolationOrDefault => Interpolation ?? "nearest";

    /// <summary><see cref="Rescale"/> or its default, 1/255.</summary>
    public double RescaleOrDefault => Rescale ?? 1.0 / 255;

    /// <summary>The class of each output unit, in index order; null: classes are named by index ("0", "1", ...).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The sidecar file of a model file: <c>weights.hdf5</c> -> <c>weights.hdf5.preprocessing.json</c>.</summary>
    public static string SidecarPath(string modelPath) => modelPath + ".preprocessing.json";

    /// <summary>This with the fields <paramref name="over"/> sets replacing these (class names too when it has some).</summary>
    public ImagePreprocessing With(ImagePreprocessing? over) => over == null ? this : new ImagePreprocessing
    {
        TargetSize = over.TargetSize ?? TargetSize,
        ColorMode = over.ColorMode ?? ColorMode,
        Interpolation = over.Interpolation ?? Interpolation,
        Rescale = over.Rescale ?? Rescale,
        ClassNames = over.ClassNames ?? ClassNames,
    };

    /// <summary>Checks the fields, throwing a <see cref="KerasNetException"/> that names <paramref name="what"/>.</summary>
    public void Validate(string what)
    {
        if (TargetSize is { } t && (t.Height <= 0 || t.Width <= 0)) throw new KerasNetException($"{what}: target_size must be two positive integers, got ({t.Height}, {t.Width}).");
        if (ColorMode is not (null or "rgb" or "grayscale" or "rgba")) throw new KerasNetException($"{what}: color_mode must be rgb, grayscale or rgba, got '{ColorMode}'.");
        if (Interpolation is not (null or "nearest" or "bilinear" or "bicubic" or "lanczos" or "box" or "hamming"))
            throw new KerasNetException($"{what}: interpolation must be nearest, bilinear, bicubic, lanczos, box or hamming, got '{Interpolation}'.");
        if (Rescale is double r && !double.IsFinite(r)) throw new KerasNetException($"{what}: rescale must be a finite number, got {Rescale}.");
    }

    /// <summary>Writes the sidecar JSON atomically (temp file, then rename).</summary>
    public void Write(string path)
    {
        var o = new JsonObject();
        if (TargetSize is { } t) o["target_size"] = new JsonArray(t.Height, t.Width);
        if (ColorMode != null) o["color_mode"] = ColorMode;
        if (Interpolation != null) o["interpolation"] = Interpolation;
        if (Rescale != null) o["rescale"] = Rescale;
        if (ClassNames != null)
        {
            o["class_names"] = new JsonArray(ClassNames.Select(n => (JsonNode?)n).ToArray());
            var indices = new JsonObject();
            for (int i = 0; i < ClassNames.Count; i++) indices[ClassNames[i]] = i;
            o["class_indices"] = indices;
        }
        Saving.AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads a sidecar file; a malformed one is a <see cref="KerasNetException"/> naming it and the key.</summary>
    public static ImagePreprocessing Read(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new KerasNetException($"{path}: cannot read the preprocessing file ({e.Message}).", e);
        }
        if (root is not JsonObject o) throw new KerasNetException($"{path}: the preprocessing file must hold a JSON object.");
        try
        {
            var p = new ImagePreprocessing
            {
                TargetSize = o["target_size"] is JsonArray { Count: 2 } ts ? (ts[0]!.GetValue<int>(), ts[1]!.GetValue<int>())
                    : o["target_size"] is null ? null : throw new KerasNetException($"{path}: target_size must be [height, width]."),
                ColorMode = o["color_mode"]?.GetValue<string>(),
                Interpolation = o["interpolation"]?.GetValue<string>(),
                Rescale = o["rescale"]?.GetValue<double>(),
                ClassNames = o["class_names"] is JsonArray names ? names.Select(n => n!.GetValue<string>()).ToArray()
                    : o["class_indices"] is JsonObject ci ? ci.OrderBy(kv => kv.Value!.GetValue<int>()).Select(kv => kv.Key).ToArray() : null,
            };
            p.Validate(path);
            return p;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new KerasNetException($"{path}: a value of the preprocessing file has the wrong type ({e.Message}).", e);
        }
    }
}
