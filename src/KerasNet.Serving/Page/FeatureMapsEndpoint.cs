using System.Collections.Concurrent;
using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Models;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>
/// <c>POST /v1/models/{name}:featuremaps</c> (KerasNet's own, for the page): an uploaded image (multipart field
/// <c>image</c>, prepared exactly as <c>:classify-image</c> prepares it) through the model, answering the feature maps
/// of each Conv2D layer (or of the layers named by <c>?layers=a,b</c>) as grey tiles:
/// <c>{"model": NAME, "layers": [{"name", "height", "width", "channels", "data"}], "omitted": [NAME...], "max_bytes": N}</c>.
/// <c>data</c> is base64 of C tiles of H x W bytes, channel after channel, row-major, each channel min-max scaled to
/// 0..255 as matplotlib's <c>imshow(cmap='gray')</c> shows it (<see cref="FeatureMapProbe.GreyTile"/>). Layers are
/// answered in order while their bytes fit in <c>max_bytes</c> (<c>?max_bytes=N</c>, at most and by default
/// <see cref="MaxBytes"/>); the rest are named in <c>omitted</c>.
/// </summary>
internal sealed class FeatureMapsEndpoint(ModelRegistry models, ImageClassifier images)
{
    /// <summary>
    /// Tile bytes in one answer at most (8 MiB, about 11 MB of JSON once in base64): the tutorial CNN's maps are
    /// 123 KB, and a page still decodes and draws 8 MiB in well under a second.
    /// </summary>
    internal const int MaxBytes = 8 << 20;

    // The probe of each model's Conv2D layers, built on first use (building a Functional model is not free).
    private readonly ConcurrentDictionary<string, Lazy<FeatureMapProbe>> _probes = new(StringComparer.Ordinal);

    /// <summary>Answers one request (errors as TF Serving's <c>{"error": ...}</c> through <see cref="ApiException"/>).</summary>
    internal async Task Handle(HttpContext ctx, string name)
    {
        ctx.Items[RequestInfo.ModelKey] = name;
        if (!models.TryGet(name, out var served))
            throw new ApiException(StatusCodes.Status404NotFound, $"Servable not found for request: Latest({name})");
        var probe = ProbeFor(served, ctx.Request.Query["layers"].ToString());
        int maxBytes = MaxBytesOf(ctx.Request.Query["max_bytes"].ToString());
        // The image exactly as :classify-image prepares it (its code, called, not copied).
        Tensor x = await images.ReadInput(ctx, served);
        IReadOnlyList<Tensor> maps = probe.Compute(x);

        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartObject();
        w.WriteString("model", served.Name);
        w.WriteStartArray("layers");
        var omitted = new List<string>();
        long used = 0;
        for (int i = 0; i < maps.Count; i++)
        {
            var t = maps[i];
            long bytes = (long)t.Shape[1] * t.Shape[2] * t.Shape[3];
            if (omitted.Count > 0 || used + bytes > maxBytes) { omitted.Add(probe.Layers[i].Name); continue; }
            used += bytes;
            w.WriteStartObject();
            w.WriteString("name", probe.Layers[i].Name);
            w.WriteNumber("height", t.Shape[1]);
            w.WriteNumber("width", t.Shape[2]);
            w.WriteNumber("channels", t.Shape[3]);
            w.WriteBase64String("data", FeatureMapProbe.GreyTiles(t));
            w.WriteEndObject();
            // Flush per layer: a large answer streams rather than sitting whole in the writer's buffer.
            await w.FlushAsync(RequestInfo.Token(ctx));
        }
        w.WriteEndArray();
        w.WriteStartArray("omitted");
        foreach (var n in omitted) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteNumber("max_bytes", maxBytes);
        w.WriteEndObject();
    }

    /// <summary>The model's Conv2D layers' names (empty when it has none, or its input is not an image).</summary>
    internal static IReadOnlyList<string> DefaultLayerNames(ServedModel served) =>
        IsImageModel(served.Model) ? FeatureMapProbe.Conv2DLayers(served.Model).Select(l => l.Name).ToArray() : [];

    /// <summary>Whether a model takes one image: a single input of shape (H, W, C).</summary>
    internal static bool IsImageModel(Model model) => model.Inputs.Count == 1 && model.Inputs[0].Shape.Length == 3;

    private FeatureMapProbe ProbeFor(ServedModel served, string layers)
    {
        if (!IsImageModel(served.Model))
            throw ApiException.BadRequest($"Model '{served.Name}' does not take one image (its inputs are {string.Join(", ", served.InputShapes.Select(ShapeUtil.FormatWithNone))}), so it has no feature maps of an image.");
        try
        {
            if (string.IsNullOrWhiteSpace(layers))
                return _probes.GetOrAdd(served.Name, _ => new Lazy<FeatureMapProbe>(() => new FeatureMapProbe(served.Model))).Value;
            var names = layers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new FeatureMapProbe(served.Model, FeatureMapProbe.NamedLayers(served.Model, names));
        }
        catch (KerasNetException e)
        {
            // No Conv2D layer, an unknown layer name, a layer without (H, W, C) maps: the request's fault, not the server's.
            if (string.IsNullOrWhiteSpace(layers)) _probes.TryRemove(served.Name, out _); // a failed build is not kept
            throw ApiException.BadRequest(e.Message + (string.IsNullOrWhiteSpace(layers) ? " Ask for layers by name with ?layers=NAME,NAME." : ""));
        }
    }

    private static int MaxBytesOf(string value)
    {
        if (string.IsNullOrEmpty(value)) return MaxBytes;
        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 1 || n > MaxBytes)
            throw ApiException.BadRequest($"max_bytes must be an integer from 1 to {MaxBytes}, got '{value}'.");
        return n;
    }
}
