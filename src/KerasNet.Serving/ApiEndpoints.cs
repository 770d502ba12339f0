using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>
/// TF Serving's REST routes, matched as its handler matches them: <c>/v1/models/NAME[/versions/N|/labels/L]</c>
/// followed by nothing (GET: status), <c>/metadata</c> (GET) or <c>:predict</c> (POST), plus KerasNet's
/// <c>:classify-image</c> (POST). Each answer is JSON; each refusal TF Serving's <c>{"error": ...}</c>.
/// </summary>
internal static partial class ApiEndpoints
{
    [GeneratedRegex(@"^/v1/models/(?<name>[^/:]+)(?:/versions/(?<version>[^/:]+)|/labels/(?<label>[^/:]+))?(?<verb>/metadata|:[A-Za-z-]+)?$")]
    private static partial Regex PathRegex();

    public static void Map(WebApplication app, ModelRegistry models, ServeOptions options)
    {
        var classifier = new ImageClassifier(options);
        app.Map("/v1/{**rest}", (HttpContext ctx) => Handle(ctx, models, classifier));
    }

    private static async Task Handle(HttpContext ctx, ModelRegistry models, ImageClassifier classifier)
    {
        try
        {
            string path = ctx.Request.Path.Value ?? "", method = ctx.Request.Method;
            var m = PathRegex().Match(path);
            if (!m.Success) throw ApiException.BadRequest($"Malformed request: {method} {path}");
            string name = m.Groups["name"].Value, verb = m.Groups["verb"].Value;
            ctx.Items[RequestInfo.ModelKey] = name;
            bool get = HttpMethods.IsGet(method), post = HttpMethods.IsPost(method);
            if (!(verb is "" or "/metadata" ? get : post))
                throw ApiException.BadRequest($"Malformed request: {method} {path} ({(verb is "" or "/metadata" ? "GET" : "POST")} expected)");
            var model = Resolve(models, name, m.Groups["version"], m.Groups["label"], verb == "");
            byte[] answer = verb switch
            {
                "" => ResponseJson.Status(model),
                "/metadata" => ResponseJson.Metadata(model),
                ":predict" => await Predict(ctx, model),
                ":classify-image" => await classifier.Classify(ctx, model),
                ":classify" or ":regress" => throw new ApiException(StatusCodes.Status501NotImplemented,
                    $"'{verb[1..]}' needs a tf.Example signature, which Keras models do not have; use ':predict' (or ':classify-image' for an image)."),
                _ => throw ApiException.BadRequest($"Malformed request: {method} {path} (unknown method '{verb[1..]}'; expected predict or classify-image)"),
            };
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = answer.Length;
            await ctx.Response.Body.WriteAsync(answer, RequestInfo.Token(ctx));
        }
        catch (ApiException e) { await ApiErrors.TryWrite(ctx, e.Status, e.Message); }
        catch (KerasNetException e) { await ApiErrors.TryWrite(ctx, StatusCodes.Status500InternalServerError, e.Message); }
        // Anything else is a KerasNet bug: still TF Serving's error object (INTERNAL), never an empty 500.
        catch (Exception e) when (e is not (OperationCanceledException or BadHttpRequestException))
        {
            await ApiErrors.TryWrite(ctx, StatusCodes.Status500InternalServerError, $"Internal: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The model a request names; its version must be 1 (KerasNet serves one version per name).</summary>
    private static ServedModel Resolve(ModelRegistry models, string name, Group version, Group label, bool status)
    {
        if (!models.TryGet(name, out var model))
            throw new ApiException(StatusCodes.Status404NotFound, status
                ? $"Could not find any versions of model {name}"
                : $"Servable not found for request: Latest({name})");
        if (version.Success)
        {
            if (!long.TryParse(version.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long v))
                throw ApiException.BadRequest($"Failed to convert version: {version.Value} to numeric.");
            if (v != model.Version)
                throw new ApiException(StatusCodes.Status404NotFound, $"Servable not found for request: Specific({name}, {v}) (KerasNet serves version {model.Version} only)");
        }
        if (label.Success)
            throw new ApiException(StatusCodes.Status404NotFound, $"Unrecognized servable version label: {label.Value} (KerasNet serves one version per model: use /versions/{model.Version} or no version)");
        return model;
    }

    private static async Task<byte[]> Predict(HttpContext ctx, ServedModel model)
    {
        var body = await ReadBody(ctx);
        var request = PredictJson.Parse(body, model);
        var (outputs, batchRows) = await model.Batcher.PredictAsync(request.Inputs, RequestInfo.Token(ctx));
        ctx.Items[RequestInfo.BatchKey] = batchRows;
        return ResponseJson.Predictions(model, outputs, request.Columnar);
    }

    /// <summary>The whole request body (Kestrel stops one past <see cref="ServeOptions.MaxRequestBodyBytes"/> with 413).</summary>
    internal static async Task<ReadOnlyMemory<byte>> ReadBody(HttpContext ctx)
    {
        var buffer = new MemoryStream(ctx.Request.ContentLength is long n and > 0 and < int.MaxValue ? (int)n : 4096);
        await ctx.Request.Body.CopyToAsync(buffer, RequestInfo.Token(ctx));
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
