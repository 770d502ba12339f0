#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;
using KerasNet.Serving;
using KerasNet.Tests.Console;
using Microsoft.AspNetCore.Builder;

namespace KerasNet.Tests.Serving;

/// <summary>
/// The page tests' model and server: a tiny image classifier (16 x 16 RGB, classes "blue" and "red") trained through
/// the API and saved with its preprocessing sidecar, images of either class, and a started <see cref="ServeApp"/> on
/// a free port. The expectations come from the API directly: the image loaded as Keras's <c>load_img</c> loads it,
/// rescaled, then each layer called in turn (no Functional model, no server involved).
/// </summary>
internal static class ServePageFixture
{
    public const int Size = 16;
    public static readonly string[] Classes = ["blue", "red"];
    public static readonly string[] ConvLayers = ["conv_a", "conv_b"];

    /// <summary>conv_a (4 relu maps) -> pool -> conv_b (6 linear maps, so none is a dead ReLU) -> flatten -> softmax.</summary>
    public static Sequential Classifier(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var network = new Sequential(
        [
            new Conv2D(4, (3, 3), inputShape: (Size, Size, 3), activation: "relu", name: ConvLayers[0]),
            new MaxPooling2D(poolSize: (2, 2), name: "pool"),
            new Conv2D(6, (3, 3), name: ConvLayers[1]),
            new Flatten(name: "flat"),
            new Dense(2, activation: "softmax", name: "out"),
        ], name: "tiny_classifier");
        network.Compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var rng = new Random(seed);
        int n = 32;
        var x = new Tensor(n, Size, Size, 3);
        var y = new Tensor(n, 2);
        for (int i = 0; i < n; i++)
        {
            int cls = i % 2;
            for (int p = 0; p < Size * Size; p++)
            {
                float strong = (float)(0.6 + 0.4 * rng.NextDouble()), weak = (float)(0.3 * rng.NextDouble());
                x[p * 3 + i * Size * Size * 3] = cls == 1 ? strong : weak;
                x[p * 3 + 1 + i * Size * Size * 3] = (float)(0.5 * rng.NextDouble());
                x[p * 3 + 2 + i * Size * Size * 3] = cls == 0 ? strong : weak;
            }
            y[i * 2 + cls] = 1;
        }
        network.Fit(x, y, batchSize: 8, epochs: 5, verbose: 0);
        return network;
    }

    /// <summary>Saves <paramref name="network"/> as DIR/NAME.h5 with a sidecar naming the classes; returns the file.</summary>
    public static string Save(Model network, string dir, string name = "tiny")
    {
        string path = Path.Combine(dir, name + ".h5");
        network.Save(path);
        new ImagePreprocessing { TargetSize = (Size, Size), ColorMode = "rgb", ClassNames = Classes }.Write(ImagePreprocessing.SidecarPath(path));
        return path;
    }

    /// <summary>A 40 x 28 BMP (resized by the server to 16 x 16): mostly red or mostly blue with a diagonal stripe.</summary>
    public static string WriteImage(string dir, bool red, string name = "image.bmp")
    {
        string path = Path.Combine(dir, name);
        TinyDataset.WriteBmp(path, 40, 28, (x, y) =>
        {
            byte strong = (byte)(170 + (x * 7 + y * 3) % 80), weak = (byte)((x * y) % 60);
            bool stripe = Math.Abs(x - y) < 3;
            return (red ? strong : weak, (byte)(stripe ? 200 : 40), red ? weak : strong);
        });
        return path;
    }

    /// <summary>The image as the sidecar says to prepare it: <c>load_img(target_size=(16, 16))</c>, then <c>/ 255</c>.</summary>
    public static Tensor Prepared(string image)
    {
        var img = ImageLoader.Load(image, "rgb", (Size, Size));
        var x = new Tensor([1, .. img.Shape]);
        for (int i = 0; i < img.Length; i++) x[i] = img[i] * (float)(1.0 / 255);
        return x;
    }

    /// <summary>Each layer's output for the prepared image, the layers called one after the other.</summary>
    public static Dictionary<string, Tensor> Activations(Sequential network, string image)
    {
        var x = Prepared(image);
        var result = new Dictionary<string, Tensor>();
        foreach (var layer in network.Layers)
        {
            x = layer.Call(x);
            result[layer.Name] = x;
        }
        return result;
    }

    /// <summary>The class a direct Predict gives the image.</summary>
    public static string PredictedClass(Model network, string image)
    {
        var p = network.Predict(Prepared(image)).ToArray();
        return Classes[p[1] > p[0] ? 1 : 0];
    }

    /// <summary>matplotlib's imshow(a, cmap='gray') of one map pixel (the featuremaps command's tests' transcription).</summary>
    public static byte Gray(Tensor maps, int y, int x, int channel) => FeatureMapsCommandTests.Gray(maps, y, x, channel);

    /// <summary>Builds and starts the app on a free loopback port with the given models.</summary>
    public static async Task<(WebApplication App, Uri Url)> StartAsync(params (string Name, string Path)[] models)
    {
        var options = new ServeOptions { Port = 0 };
        foreach (var m in models) options.Models.Add(m);
        var app = ServeApp.Build(options);
        await app.StartAsync();
        return (app, ServeApp.Address(app));
    }
}
