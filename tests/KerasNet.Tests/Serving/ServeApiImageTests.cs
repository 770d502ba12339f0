#nullable enable
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;
using KerasNet.Serving;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Serving.ServeApiModels;

namespace KerasNet.Tests.Serving;

/// <summary>
/// <c>:classify-image</c>: PNG, JPEG, BMP and GIF uploads written by PIL give the probabilities of a direct Predict on
/// the same file loaded as training loads it (ImageLoader, Keras's load_img: resize, colour mode) times the rescale
/// factor, bitwise, sorted, named from the sidecar file; non-images, truncated files and image bombs are refused.
/// </summary>
public sealed class ServeApiImageTests
{
    private const string MakeImages = """
        import sys, struct, zlib
        from PIL import Image
        d = sys.argv[1]
        im = Image.new('RGB', (20, 12))
        im.putdata([((x * 13 + y * 7) % 256, (x * 5) % 256, (y * 19 + 40) % 256) for y in range(12) for x in range(20)])
        for ext in ('png', 'jpg', 'bmp', 'gif'):
            im.save(f'{d}/img.{ext}')
        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
        ihdr = struct.pack('>IIBBBBB', 60000, 60000, 8, 2, 0, 0, 0)
        open(f'{d}/bomb.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\0' * 1000)) + chunk(b'IEND', b''))
        """;

    private static string Images()
    {
        Oracle.RequirePython("PIL");
        string dir = Oracle.TempDir();
        Oracle.RunPythonCode(MakeImages, dir);
        return dir;
    }

    [SkippableTheory]
    [InlineData("png", "image/png")]
    [InlineData("jpg", "image/jpeg")]
    [InlineData("bmp", "image/bmp")]
    [InlineData("gif", "image/gif")]
    public async Task UploadsAreClassifiedAsADirectPredictOfTheLoadedFile(string ext, string type)
    {
        string images = Images(), dir = Oracle.TempDir();
        var (model, path) = Classifier(dir);
        new ImagePreprocessing { TargetSize = (8, 8), Rescale = 1.0 / 255, ClassNames = ["bart", "homer", "lisa"] }.Write(ImagePreprocessing.SidecarPath(path));
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("simpsons", path)));
        string file = Path.Combine(images, "img." + ext);

        var loaded = ImageLoader.Load(file, "rgb", new Size2(8, 8));
        var x = loaded.Span.ToArray().Select(v => (float)(v * (1.0 / 255))).ToArray();
        var expected = PredictOne(model, (x, [8, 8, 3]))[0];
        string[] names = ["bart", "homer", "lisa"];
        var order = Enumerable.Range(0, 3).OrderByDescending(i => expected[i]).ToArray();

        foreach (bool multipart in new[] { true, false })
        {
            var (status, body) = await s.PostImage("v1/models/simpsons:classify-image", File.ReadAllBytes(file), type, multipart);
            Assert.True(status == 200, body?.ToJsonString());
            var predictions = body!["predictions"]!.AsArray();
            Assert.Equal(order.Select(i => names[i]).ToArray(), predictions.Select(p => (string)p!["class"]!).ToArray());
            Assert.Equal(order.Select(i => expected[i]).ToArray(), predictions.Select(p => (float)p!["probability"]!).ToArray());
            Assert.Equal(names[order[0]], (string?)body["top"]);
        }
    }

    [SkippableFact]
    public async Task GrayscaleModelsGetGrayscaleImagesAndClassesDefaultToIndices()
    {
        string images = Images(), dir = Oracle.TempDir();
        var (model, path) = Classifier(dir, channels: 1, file: "gray.keras");
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("gray", path)));
        string file = Path.Combine(images, "img.png");
        // No sidecar: the model's input size, grayscale from its one channel, rescale 1/255.
        var x = ImageLoader.Load(file, "grayscale", new Size2(8, 8)).Span.ToArray().Select(v => (float)(v * (1.0 / 255))).ToArray();
        var expected = PredictOne(model, (x, [8, 8, 1]))[0];
        var (status, body) = await s.PostImage("v1/models/gray:classify-image", File.ReadAllBytes(file));
        Assert.Equal(200, status);
        var byClass = body!["predictions"]!.AsArray().ToDictionary(p => (string)p!["class"]!, p => (float)p!["probability"]!);
        Assert.Equal(new Dictionary<string, float> { ["0"] = expected[0], ["1"] = expected[1], ["2"] = expected[2] }, byClass);
    }

    [SkippableFact]
    public async Task NonImagesTruncatedFilesAndBombsAreRefused()
    {
        string images = Images(), dir = Oracle.TempDir();
        var (_, path) = Classifier(dir);
        var (_, two) = TwoInputs(dir);
        await using var s = await ServeApiServer.StartAsync(ServeApiServer.Options(("clf", path), ("two", two)));
        var png = File.ReadAllBytes(Path.Combine(images, "img.png"));

        var (status, body) = await s.PostImage("v1/models/clf:classify-image", "hello, not an image"u8.ToArray());
        Assert.Equal(400, status);
        Assert.Contains("not a recognised image", (string?)body!["error"]);
        (status, body) = await s.PostImage("v1/models/clf:classify-image", png[..(png.Length / 2)]);
        Assert.Equal(400, status);
        Assert.Contains("uploaded image", (string?)body!["error"]);
        (status, body) = await s.PostImage("v1/models/clf:classify-image", File.ReadAllBytes(Path.Combine(images, "bomb.png")));
        Assert.Equal(413, status);
        Assert.Contains("60000x60000", (string?)body!["error"]);
        (status, body) = await s.PostImage("v1/models/clf:classify-image", png, "text/plain", multipart: false);
        Assert.Equal(415, status);
        // curl --data-binary's default type: refused as the wrong type, not parsed as form keys (a 500 before).
        (status, body) = await s.PostImage("v1/models/clf:classify-image", png, "application/x-www-form-urlencoded", multipart: false);
        Assert.Equal(415, status);
        Assert.Contains("multipart/form-data (field 'image')", (string?)body!["error"]);
        (status, body) = await s.PostImage("v1/models/clf:classify-image", []);
        Assert.Equal(400, status);
        (status, body) = await s.PostImage("v1/models/two:classify-image", png);
        Assert.Equal(400, status);
        Assert.Contains("does not take one image", (string?)body!["error"]);
    }

    [Fact]
    public void TheSidecarRoundTripsAndNamesItsProblems()
    {
        string dir = Oracle.TempDir(), file = Path.Combine(dir, "m.h5.preprocessing.json");
        new ImagePreprocessing { TargetSize = (64, 32), ColorMode = "grayscale", Interpolation = "bilinear", Rescale = 0.5, ClassNames = ["a", "b"] }.Write(file);
        var p = ImagePreprocessing.Read(file);
        Assert.Equal((64, 32), p.TargetSize);
        Assert.Equal("grayscale", p.ColorMode);
        Assert.Equal("bilinear", p.Interpolation);
        Assert.Equal(0.5, p.Rescale);
        Assert.Equal(["a", "b"], p.ClassNames);
        // Keras's class_indices alone give the names in index order.
        File.WriteAllText(file, """{"class_indices": {"homer": 1, "bart": 0}}""");
        Assert.Equal(["bart", "homer"], ImagePreprocessing.Read(file).ClassNames);
        File.WriteAllText(file, """{"color_mode": "cmyk"}""");
        Assert.Contains("color_mode must be rgb, grayscale or rgba", Assert.Throws<KerasNetException>(() => ImagePreprocessing.Read(file)).Message);
        File.WriteAllText(file, """{"target_size": "big"}""");
        Assert.Contains(file, Assert.Throws<KerasNetException>(() => ImagePreprocessing.Read(file)).Message);
    }
}
