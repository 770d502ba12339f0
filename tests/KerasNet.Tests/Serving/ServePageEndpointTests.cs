#nullable enable
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Serving;

/// <summary>
/// The page's routes over HTTP: <c>/</c> and its files (same-origin only, a strict CSP, ETags), <c>GET /v1/models</c>
/// and <c>POST /v1/models/NAME:featuremaps</c>, whose tiles must equal, byte for byte, the grey levels of the
/// activations computed by calling the model's layers one after the other on the image prepared as Keras's
/// <c>load_img</c> prepares it; and every refusal as TF Serving's <c>{"error": ...}</c> with its status.
/// </summary>
public sealed class ServePageEndpointTests
{
    private readonly string _dir = Oracle.TempDir();

    /// <summary>A started server with the tiny classifier as "tiny" and a Dense-only model as "dense" (built in the test's own KerasContext).</summary>
    private sealed class Served : IAsyncDisposable
    {
        public required Sequential Network { get; init; }
        public required Microsoft.AspNetCore.Builder.WebApplication App { get; init; }
        public required HttpClient Http { get; init; }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    private Served _s = null!;
    private Sequential Network => _s.Network;
    private HttpClient Http => _s.Http;

    private async Task<Served> Start()
    {
        var network = ServePageFixture.Classifier(seed: 11);
        string model = ServePageFixture.Save(network, _dir);
        var dense = new Sequential([new Dense(3, activation: "softmax", inputShape: 4)], name: "dense_only");
        string densePath = Path.Combine(_dir, "dense.h5");
        dense.Save(densePath);
        var (app, url) = await ServePageFixture.StartAsync(("tiny", model), ("dense", densePath));
        return _s = new Served { Network = network, App = app, Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(120) } };
    }

    private static MultipartFormDataContent Upload(string path, string field = "image")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(File.ReadAllBytes(path));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/bmp");
        form.Add(file, field, Path.GetFileName(path));
        return form;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string url, HttpContent content)
    {
        using var response = await Http.PostAsync(url, content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task PageAndItsFilesAreServedFromTheServerOnlyWithAStrictPolicy()
    {
        await using var served = await Start();
        using var index = await Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html; charset=utf-8", index.Content.Headers.ContentType?.ToString());
        string html = await index.Content.ReadAsStringAsync();
        Assert.Contains("<label for=\"model\">Model</label>", html);
        Assert.Contains("<label for=\"file\"", html);
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains("name=\"viewport\" content=\"width=device-width", html);
        string csp = index.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.Equal("nosniff", index.Headers.GetValues("X-Content-Type-Options").Single());

        // Everything the page links to is this server's own and is served; nothing names another host.
        var links = Regex.Matches(html, "(?:href|src)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Contains("/page/app.js", links);
        Assert.Contains("/page/style.css", links);
        foreach (var link in links)
        {
            Assert.StartsWith("/", link);
            using var r = await Http.GetAsync(link);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"{link}: {r.StatusCode}");
        }
        foreach (var file in new[] { "/", "/page/app.js", "/page/style.css" })
        {
            string text = await Http.GetStringAsync(file);
            var hosts = Regex.Matches(text, @"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}").Select(m => m.Value).Where(h => h != "http://www.w3.org").ToArray();
            Assert.True(hosts.Length == 0, $"{file} names other hosts: {string.Join(", ", hosts)}");
        }
        using var js = await Http.GetAsync("/page/app.js");
        Assert.Equal("text/javascript; charset=utf-8", js.Content.Headers.ContentType?.ToString());

        // A conditional request with the ETag is answered 304 without a body.
        var request = new HttpRequestMessage(HttpMethod.Get, "/page/app.js");
        request.Headers.IfNoneMatch.Add(js.Headers.ETag!);
        using var again = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        using var missing = await Http.GetAsync("/page/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ModelListNamesEachModelsInputsClassesAndConv2DLayers()
    {
        await using var served = await Start();
        var body = JsonDocument.Parse(await Http.GetStringAsync("/v1/models")).RootElement;
        var models = body.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["tiny", "dense"], models.Select(m => m.GetProperty("name").GetString()!).ToArray());
        var tiny = models[0];
        Assert.Equal("1", tiny.GetProperty("version").GetString());
        Assert.Equal("AVAILABLE", tiny.GetProperty("state").GetString());
        Assert.Equal([16, 16, 3], tiny.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(Network.InputNames[0], tiny.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal(ServePageFixture.Classes, tiny.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.True(tiny.GetProperty("image").GetBoolean());
        Assert.Equal(ServePageFixture.ConvLayers, tiny.GetProperty("feature_map_layers").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var dense = models[1];
        Assert.Equal(JsonValueKind.Null, dense.GetProperty("classes").ValueKind);
        Assert.False(dense.GetProperty("image").GetBoolean());
        Assert.Empty(dense.GetProperty("feature_map_layers").EnumerateArray());
    }

    [Fact]
    public async Task FeatureMapsAreTheGreyTilesOfEachConv2DLayersActivations()
    {
        await using var served = await Start();
        string image = ServePageFixture.WriteImage(_dir, red: false);
        var expected = ServePageFixture.Activations(Network, image);
        var (status, body) = await Post("/v1/models/tiny:featuremaps", Upload(image));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("tiny", body.GetProperty("model").GetString());
        Assert.Empty(body.GetProperty("omitted").EnumerateArray());
        var layers = body.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(ServePageFixture.ConvLayers, layers.Select(l => l.GetProperty("name").GetString()!).ToArray());
        foreach (var l in layers) AssertTiles(l, expected[l.GetProperty("name").GetString()!]);

        // Named layers, in the order asked; a pooling layer has maps too.
        (status, body) = await Post("/v1/models/tiny:featuremaps?layers=pool,conv_a", Upload(image));
        Assert.Equal(HttpStatusCode.OK, status);
        layers = body.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["pool", "conv_a"], layers.Select(l => l.GetProperty("name").GetString()!).ToArray());
        AssertTiles(layers[0], expected["pool"]);

        // Capped: conv_a's 14 x 14 x 4 bytes fit in 800, conv_b's do not and are named as left out.
        (status, body) = await Post("/v1/models/tiny:featuremaps?max_bytes=800", Upload(image));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["conv_a"], body.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()!).ToArray());
        Assert.Equal(["conv_b"], body.GetProperty("omitted").EnumerateArray().Select(l => l.GetString()!).ToArray());
        Assert.Equal(800, body.GetProperty("max_bytes").GetInt32());
    }

    private static void AssertTiles(JsonElement layer, KerasNet.Engine.Tensor maps)
    {
        int h = maps.Shape[1], w = maps.Shape[2], c = maps.Shape[3];
        Assert.Equal((h, w, c), (layer.GetProperty("height").GetInt32(), layer.GetProperty("width").GetInt32(), layer.GetProperty("channels").GetInt32()));
        var data = Convert.FromBase64String(layer.GetProperty("data").GetString()!);
        Assert.Equal(h * w * c, data.Length);
        for (int k = 0; k < c; k++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    Assert.Equal(ServePageFixture.Gray(maps, y, x, k), data[(k * h + y) * w + x]);
        Assert.True(data.Distinct().Count() > 8, "the tiles hold almost no grey levels");
    }

    [Fact]
    public async Task ConcurrentRequestsGetTheSameMapsAsOneAlone()
    {
        await using var served = await Start();
        string image = ServePageFixture.WriteImage(_dir, red: true, name: "red.bmp");
        var (_, alone) = await Post("/v1/models/tiny:featuremaps", Upload(image));
        string expected = alone.GetRawText();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Post("/v1/models/tiny:featuremaps", Upload(image))));
        Assert.All(answers, a => Assert.Equal(expected, a.Body.GetRawText()));
    }

    [Fact]
    public async Task RefusalsAreTfServingErrorsWithTheirStatus()
    {
        await using var served = await Start();
        string image = ServePageFixture.WriteImage(_dir, red: true, name: "img.bmp");
        string text = Path.Combine(_dir, "text.bmp");
        File.WriteAllText(text, "not an image at all");

        async Task Refused(string url, HttpContent content, HttpStatusCode status, params string[] parts)
        {
            var (s, body) = await Post(url, content);
            Assert.Equal(status, s);
            string error = body.GetProperty("error").GetString()!;
            foreach (var p in parts) Assert.Contains(p, error);
        }
        await Refused("/v1/models/nope:featuremaps", Upload(image), HttpStatusCode.NotFound, "Servable not found", "nope");
        await Refused("/v1/models/tiny:featuremaps?layers=flat", Upload(image), HttpStatusCode.BadRequest, "'flat'", "not feature maps");
        await Refused("/v1/models/tiny:featuremaps?layers=ghost", Upload(image), HttpStatusCode.BadRequest, "no layer named 'ghost'");
        await Refused("/v1/models/tiny:featuremaps?max_bytes=0", Upload(image), HttpStatusCode.BadRequest, "max_bytes must be an integer from 1 to");
        await Refused("/v1/models/tiny:featuremaps?max_bytes=lots", Upload(image), HttpStatusCode.BadRequest, "max_bytes", "'lots'");
        await Refused("/v1/models/dense:featuremaps", Upload(image), HttpStatusCode.BadRequest, "does not take one image");
        await Refused("/v1/models/tiny:featuremaps", Upload(text), HttpStatusCode.BadRequest);
        await Refused("/v1/models/tiny:featuremaps", Upload(image, field: "photo"), HttpStatusCode.BadRequest, "no file field 'image'");
    }
}
