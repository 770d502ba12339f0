#nullable enable
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Serving;
using KerasNet.Tests.TestUtil;
using Microsoft.AspNetCore.Builder;

namespace KerasNet.Tests.Serving;

/// <summary>Small models built here and saved as Keras files, for the serve tests; and a server on port 0 around them.</summary>
public static class ServeApiModels
{
    /// <summary>TF Serving's half_plus_two (y = 0.5 x + 2) as a Keras Dense(1) on a (1,) input, saved as .h5.</summary>
    public static (Model Model, string Path) HalfPlusTwo(string dir)
    {
        var x = Keras.Input(1, name: "x");
        var dense = new Dense(1, name: "y");
        var model = new Model([x], [dense.Apply(x)], name: "half_plus_two");
        dense.SetWeights([[0.5f], [2f]]);
        return (model, Save(model, dir, "half_plus_two.h5"));
    }

    /// <summary>An image classifier: (8, 8, 3) -> Conv2D(4, 3x3, relu) -> Flatten -> Dense(3, softmax), saved as .h5.</summary>
    public static (Model Model, string Path) Classifier(string dir, int channels = 3, string file = "classifier.h5")
    {
        var model = new Sequential(name: "classifier");
        model.Add(new Conv2D(4, (3, 3), inputShape: (8, 8, channels), activation: "relu"));
        model.Add(new Flatten());
        model.Add(new Dense(3, activation: "softmax"));
        return (model, Save(model, dir, file));
    }

    /// <summary>Two inputs a (4,) and b (3,), concatenated, then Dense(2), saved as .keras.</summary>
    public static (Model Model, string Path) TwoInputs(string dir)
    {
        var a = Keras.Input(4, name: "a");
        var b = Keras.Input(3, name: "b");
        var cat = new Concatenate(axis: 1, name: "cat").Apply(a, b);
        var y = new Dense(2, activation: "tanh", name: "out").Apply(cat);
        var model = new Model([a, b], [y], name: "two_inputs");
        return (model, Save(model, dir, "two_inputs.keras"));
    }

    /// <summary>One input x (5,) and two outputs: scores Dense(3, softmax) and value Dense(1), saved as .h5.</summary>
    public static (Model Model, string Path) TwoOutputs(string dir)
    {
        var x = Keras.Input(5, name: "x");
        var h = new Dense(6, activation: "relu", name: "hidden").Apply(x);
        var scores = new Dense(3, activation: "softmax", name: "scores").Apply(h);
        var value = new Dense(1, name: "value").Apply(h);
        var model = new Model([x], [scores, value], name: "two_outputs");
        return (model, Save(model, dir, "two_outputs.h5"));
    }

    private static string Save(Model model, string dir, string file)
    {
        string path = System.IO.Path.Combine(dir, file);
        model.Save(path);
        return path;
    }

    /// <summary>How far a tanh output of a row may move with the batch it runs in (see NamedInputsInRowAndColumnarForm).</summary>
    public const float TanhTolerance = 1e-6f;

    /// <summary>Equal within <paramref name="tolerance"/> (absolute; 0: bitwise).</summary>
    public static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        if (tolerance == 0) { Assert.Equal(expected, actual); return; }
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"value {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance})");
    }

    /// <summary>Random values in [-1, 1).</summary>
    public static float[] Random(Random r, int count) => Enumerable.Range(0, count).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();

    /// <summary>The direct Predict of one sample (a batch of one) of each input: every output's values.</summary>
    public static float[][] PredictOne(Model model, params (float[] Values, int[] Shape)[] inputs) =>
        model.PredictOnBatch(inputs.Select(i => new Tensor(i.Values, [1, .. i.Shape])).ToArray()).Select(t => t.Span.ToArray()).ToArray();

    /// <summary>A JSON array of the values, nested as <paramref name="shape"/>.</summary>
    public static JsonNode Nest(ReadOnlySpan<float> values, ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0) return JsonValue.Create(values[0]);
        var a = new JsonArray();
        int inner = values.Length / shape[0];
        for (int i = 0; i < shape[0]; i++) a.Add(Nest(values.Slice(i * inner, inner), shape[1..]));
        return a;
    }

    /// <summary>The numbers of a JSON tree, depth first.</summary>
    public static float[] Flatten(JsonNode? node) => node switch
    {
        JsonArray a => a.SelectMany(Flatten).ToArray(),
        JsonValue v => [v.GetValue<float>()],
        _ => throw new InvalidOperationException($"not a number or list: {node?.ToJsonString()}"),
    };
}

/// <summary>A <see cref="ServeApp"/> started on a free loopback port, with an HttpClient pointed at it.</summary>
public sealed class ServeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServeApiServer(WebApplication app, StringWriter log)
    {
        _app = app;
        Log = log;
        Client = new HttpClient { BaseAddress = ServeApp.Address(app), Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }
    public StringWriter Log { get; }
    public ModelRegistry Models => ServeApp.Models(_app);

    public static async Task<ServeApiServer> StartAsync(ServeOptions options)
    {
        options.Port = 0;
        var log = new StringWriter();
        var app = ServeApp.Build(options, TextWriter.Synchronized(log));
        await app.StartAsync();
        return new ServeApiServer(app, log);
    }

    public static ServeOptions Options(params (string Name, string Path)[] models)
    {
        var o = new ServeOptions();
        foreach (var m in models) o.Models.Add(m);
        return o;
    }

    public async Task<(int Status, JsonNode? Body)> PostJson(string path, string json)
    {
        using var r = await Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)r.StatusCode, await Body(r));
    }

    public async Task<(int Status, JsonNode? Body)> Get(string path)
    {
        using var r = await Client.GetAsync(path);
        return ((int)r.StatusCode, await Body(r));
    }

    public async Task<(int Status, JsonNode? Body)> PostImage(string path, byte[] image, string contentType = "image/png", bool multipart = true)
    {
        HttpContent content;
        if (multipart)
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(image);
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            form.Add(file, "image", "upload");
            content = form;
        }
        else
        {
            content = new ByteArrayContent(image);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        using var r = await Client.PostAsync(path, content);
        return ((int)r.StatusCode, await Body(r));
    }

    private static async Task<JsonNode?> Body(HttpResponseMessage r)
    {
        string text = await r.Content.ReadAsStringAsync();
        try { return text.Length == 0 ? null : JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { return JsonValue.Create(text); }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
