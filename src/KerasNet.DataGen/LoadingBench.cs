#nullable enable
using System.Diagnostics;
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;

namespace KerasNet.DataGen;

/// <summary>Times decode+resize per image and augmentation per batch on the generated folder (--bench).</summary>
internal static class LoadingBench
{
    public static void Run(string dataDir)
    {
        var files = Directory.GetFiles(dataDir, "*.bmp", SearchOption.AllDirectories);
        foreach (var interp in new[] { "nearest", "bilinear" })
        {
            for (int warm = 0; warm < 2; warm++) foreach (var f in files.Take(20)) ImageLoader.Load(f, "rgb", (64, 64), interp);
            var sw = Stopwatch.StartNew();
            const int reps = 5;
            for (int r = 0; r < reps; r++) foreach (var f in files) ImageLoader.Load(f, "rgb", (64, 64), interp);
            Console.WriteLine($"decode + {interp} resize to 64x64: {sw.Elapsed.TotalMilliseconds * 1000 / (reps * files.Length):F0} us per image ({files.Length} BMPs, {reps} passes)");
        }

        var gen = new ImageDataGenerator(rescale: 1.0 / 255, rotationRange: 7, horizontalFlip: true, zoomRange: 0.2);
        var img = ImageLoader.Load(files[0], "rgb", (64, 64));
        var rng = new Random(1);
        for (int i = 0; i < 50; i++) gen.Standardize(gen.ApplyTransform(img, gen.GetRandomTransform(64, 64, rng)));
        var t = Stopwatch.StartNew();
        const int batches = 300;
        for (int b = 0; b < batches; b++)
            for (int i = 0; i < 8; i++) gen.Standardize(gen.ApplyTransform(img, gen.GetRandomTransform(64, 64, rng)));
        Console.WriteLine($"augmentation (rotation 7, zoom 0.2, flip, rescale) of a batch of 8 64x64x3 images: {t.Elapsed.TotalMilliseconds / batches:F2} ms");
    }
}
