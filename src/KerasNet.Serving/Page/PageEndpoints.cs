using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KerasNet.Serving;

/// <summary>
/// The web page at <c>/</c> and the routes it uses besides TF Serving's API: <c>GET /v1/models</c> (the served
/// models, for the page's model picker) and <c>POST /v1/models/{name}:featuremaps</c> (<see cref="FeatureMapsEndpoint"/>).
/// ServeApp calls <see cref="MapPage"/> after the API routes.
/// </summary>
internal static class PageEndpoints
{
    /// <summary>Maps the page's routes on <paramref name="app"/>.</summary>
    internal static void MapPage(WebApplication app, ModelRegistry models)
    {
        PageAssets.Map(app);
        app.MapGet("/v1/models", (HttpContext ctx) => Guard(ctx, () => WriteModels(ctx, models)));
        var featureMaps = new FeatureMapsEndpoint(models, new ImageClassifier(app.Services.GetRequiredService<ServeOptions>()));
        app.MapPost("/v1/models/{name}:featuremaps", (HttpContext ctx, string name) => Guard(ctx, () => featureMaps.Handle(ctx, name)));
    }

    /// <summary>
    /// <c>{"models": [{"name", "version", "state", "inputs": [{"name", "shape"}], "input_shape", "classes",
    /// "image", "feature_map_layers"}]}</c>: per model its TF Serving version and state, its inputs' per-sample shapes,
    /// the first input's shape, its class names (null: none known), whether it takes one image (H, W, C) and the
    /// Conv2D layers whose maps <c>:featuremaps</c> draws by default.
    /// </summary>
    private static async Task WriteModels(HttpContext ctx, ModelRegistry models)
    {
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        w.WriteStartObject();
        w.WriteStartArray("models");
        foreach (var m in models.All)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            // TF Serving writes versions as strings in its JSON (model_version_status[].version).
            w.WriteString("version", m.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("state", "AVAILABLE");
            w.WriteStartArray("inputs");
            for (int i = 0; i < m.InputNames.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("name", m.InputNames[i]);
                WriteInts(w, "shape", m.InputShapes[i]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteInts(w, "input_shape", m.InputShapes[0]);
            if (m.ClassNames is { } classes)
            {
                w.WriteStartArray("classes");
                foreach (var c in classes) w.WriteStringValue(c);
                w.WriteEndArray();
            }
            else w.WriteNull("classes");
            w.WriteBoolean("image", FeatureMapsEndpoint.IsImageModel(m.Model));
            w.WriteStartArray("feature_map_layers");
            foreach (var n in FeatureMapsEndpoint.DefaultLayerNames(m)) w.WriteStringValue(n);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteInts(Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>Runs a handler, answering a refused request as TF Serving's <c>{"error": ...}</c> with its status.</summary>
    private static async Task Guard(HttpContext ctx, Func<Task> handler)
    {
        try { await handler(); }
        catch (ApiException e) { await ApiErrors.TryWrite(ctx, e.Status, e.Message); }
        catch (KerasNetException e) { await ApiErrors.TryWrite(ctx, StatusCodes.Status500InternalServerError, e.Message); }
    }
}
