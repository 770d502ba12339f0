using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;
using Microsoft.AspNetCore.Http;

namespace KerasNet.Serving;

/// <summary>
/// <c>POST /v1/models/NAME:classify-image</c>: an uploaded image (multipart/form-data field <c>image</c>, or the raw
/// body with an image/* or application/octet-stream content type) decoded with KerasNet's decoders (the pixels
/// <c>load_img</c> gives: PNG, JPEG, BMP, GIF), prepared as the model's training did (<see cref="ImagePreprocessing"/>)
/// and classified: <c>{"predictions": [{"class": "homer", "probability": 0.93}, ...], "top": "homer"}</c>, most
/// probable first. Non-images and truncated files get 400, images above <see cref="ServeOptions.MaxImagePixels"/>
/// (checked from the header, before decoding) 413.
/// </summary>
internal sealed class ImageClassifier
{
    // The decoders read their pixel cap from the current context: the server's own, so requests never touch the process's.
    private readonly KerasContext _context = new();

    public ImageClassifier(ServeOptions options) => _context.Limits.MaxImagePixels = options.MaxImagePixels;

    public async Task<byte[]> Classify(HttpContext ctx, ServedModel model)
    {
        var x = await ReadInput(ctx, model);
        var (outputs, batchRows) = await model.Batcher.PredictAsync([x], RequestInfo.Token(ctx));
        ctx.Items[RequestInfo.BatchKey] = batchRows;
        return Answer(model, outputs[0]);
    }

    /// <summary>The request's uploaded image prepared for <paramref name="model"/>: a batch of one (also the page's <c>:featuremaps</c> input).</summary>
    internal async Task<Tensor> ReadInput(HttpContext ctx, ServedModel model)
    {
        var (size, colorMode, rescale, interpolation) = Plan(model);
        byte[] bytes = await ReadImage(ctx);
        Tensor image;
        try
        {
            using (KerasContext.Use(_context)) image = ImageLoader.Decode(bytes, "the uploaded image", colorMode, new Size2(size.Height, size.Width), interpolation);
        }
        catch (InvalidImageException e)
        {
            // The pixel cap is the decoder's guard against decompression bombs: too large, not malformed.
            bool bomb = e.Message.Contains("pixels, above the limit", StringComparison.Ordinal);
            throw new ApiException(bomb ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, e.Message);
        }
        var x = new Tensor([1, .. image.Shape]);
        var dst = x.Span;
        var src = image.Span;
        for (int i = 0; i < src.Length; i++) dst[i] = (float)(src[i] * rescale);
        return x;
    }

    /// <summary>Target size, colour mode, rescale and interpolation for <paramref name="model"/>; a model that cannot take an image is a 400.</summary>
    private static ((int Height, int Width), string, double, string) Plan(ServedModel model)
    {
        if (model.InputShapes.Count != 1 || model.InputShapes[0].Length != 3)
            throw ApiException.BadRequest($"Model '{model.Name}' does not take one image: its input{(model.InputShapes.Count == 1 ? "" : "s")} " +
                $"{string.Join(", ", model.InputShapes.Select(PredictJson.Format))} (expected one (height, width, channels) input); use ':predict'.");
        if (model.OutputShapes.Count != 1 || model.OutputShapes[0].Length != 1)
            throw ApiException.BadRequest($"Model '{model.Name}' is not a classifier: it has {model.OutputShapes.Count} output(s) of shape " +
                $"{string.Join(", ", model.OutputShapes.Select(PredictJson.Format))} (expected one vector of class scores); use ':predict'.");
        var input = model.InputShapes[0];
        var pre = model.Preprocessing ?? new ImagePreprocessing();
        var size = pre.TargetSize ?? (input[0], input[1]);
        if (size.Height <= 0 || size.Width <= 0)
            throw ApiException.BadRequest($"Model '{model.Name}' takes images of any size: start the server with --target-size H W.");
        string color = pre.ColorMode ?? input[2] switch
        {
            1 => "grayscale",
            3 => "rgb",
            4 => "rgba",
            var c => throw ApiException.BadRequest($"Model '{model.Name}' expects {c} channels; images can be grayscale (1), rgb (3) or rgba (4)."),
        };
        return (size, color, pre.RescaleOrDefault, pre.InterpolationOrDefault);
    }

    private static async Task<byte[]> ReadImage(HttpContext ctx)
    {
        var request = ctx.Request;
        // Only a multipart form carries a file: a urlencoded one (curl --data-binary's default type) is refused below
        // as the wrong content type rather than parsed as form keys.
        if (request.HasFormContentType && request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            IFormCollection form;
            try { form = await request.ReadFormAsync(RequestInfo.Token(ctx)); }
            catch (InvalidDataException e) { throw ApiException.BadRequest("The multipart form could not be read: " + e.Message); }
            var file = form.Files.GetFile("image")
                ?? throw ApiException.BadRequest($"The multipart form has no file field 'image' (fields: {string.Join(", ", form.Files.Select(f => f.Name).Concat(form.Keys).DefaultIfEmpty("none"))}).");
            var buffer = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
            await file.CopyToAsync(buffer, RequestInfo.Token(ctx));
            if (buffer.Length == 0) throw ApiException.BadRequest("The uploaded image is empty.");
            return buffer.ToArray();
        }
        string type = request.ContentType ?? "";
        if (!(type.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase)))
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType,
                $"Send the image as multipart/form-data (field 'image') or as the body with an image/* content type, not '{(type.Length == 0 ? "no content type" : type)}'.");
        var body = await ApiEndpoints.ReadBody(ctx);
        if (body.IsEmpty) throw ApiException.BadRequest("The uploaded image is empty.");
        return body.ToArray();
    }

    private static byte[] Answer(ServedModel model, Tensor scores)
    {
        var values = scores.Span.ToArray();
        var names = model.ClassNames;
        // A single sigmoid unit (class_mode="binary") is the probability of class 1.
        var probabilities = values.Length == 1 ? new[] { 1 - values[0], values[0] } : values;
        if (names != null && names.Count != probabilities.Length)
            throw new ApiException(StatusCodes.Status500InternalServerError,
                $"Model '{model.Name}' gives {probabilities.Length} class scores but its preprocessing names {names.Count} classes ({string.Join(", ", names)}).");
        var order = Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).ToArray(); // stable: ties keep index order
        string Name(int i) => names?[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ResponseJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("predictions");
            foreach (int i in order)
            {
                w.WriteStartObject();
                w.WriteString("class", Name(i));
                w.WritePropertyName("probability");
                ResponseJson.Number(w, probabilities[i]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("top", Name(order[0]));
            w.WriteEndObject();
        });
    }
}
