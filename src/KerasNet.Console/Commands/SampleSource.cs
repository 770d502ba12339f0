#nullable enable
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>A batch of model inputs and which listed samples it holds (indices into <see cref="SampleSource.Names"/>).</summary>
public readonly record struct SampleBatch(Tensor[] X, int[] Items)
{
    /// <summary>Samples in the batch.</summary>
    public int Count => Items.Length;
}

/// <summary>
/// The samples a command runs a model on, listed up front (names, true classes) and produced one batch at a time, so
/// that a command streaming its results holds one batch, not the whole data set. The batch tensors are reused: a
/// batch is valid until the next one is asked for.
/// </summary>
public abstract class SampleSource
{
    /// <summary>One name per listed sample: the path relative to the folder, the file name, or the row number of an array.</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>True class per listed sample, when the folder has class subfolders.</summary>
    public virtual int[]? Classes => null;

    /// <summary>Class names by index, when the folder has class subfolders.</summary>
    public virtual string[]? ClassNames => null;

    /// <summary>Listed samples left out because they could not be decoded (only when skipping is asked for).</summary>
    public List<string> Skipped { get; } = new();

    /// <summary>Samples per batch.</summary>
    public abstract int BatchSize { get; }

    /// <summary>The batches, in listing order (skipped samples left out).</summary>
    public abstract IEnumerable<SampleBatch> Batches();
}

/// <summary>Image files decoded batch by batch (in parallel within a batch), as <c>predict --images</c> reads them.</summary>
internal sealed class ImageSource(ImageOptions options, IReadOnlyList<string> names, IReadOnlyList<string> paths,
    (int Height, int Width) size, string colorMode, int[]? classes, string[]? classNames) : SampleSource
{
    // Keras's standardize: the float32 product with the rescale factor cast to float32, as flow_from_directory does.
    private readonly ImageDataGenerator _standardize = new(rescale: options.Rescale);

    public override IReadOnlyList<string> Names => names;
    public override int[]? Classes => classes;
    public override string[]? ClassNames => classNames;
    public override int BatchSize => options.BatchSize;

    public override IEnumerable<SampleBatch> Batches()
    {
        int batch = options.BatchSize, channels = colorMode switch { "grayscale" => 1, "rgba" => 4, _ => 3 };
        int[] sample = [size.Height, size.Width, channels];
        var full = new Tensor([batch, .. sample]);
        Tensor? last = null;
        var images = new Tensor?[batch];
        var errors = new KerasNetException?[batch];
        var items = new List<int>(batch);
        int next = 0, filled = 0;
        while (next < paths.Count)
        {
            // Decode the next images (as many as the batch still needs), then keep the ones that decoded.
            int want = Math.Min(batch - filled, paths.Count - next), first = next;
            Parallel.For(0, want, k =>
            {
                try { images[k] = ImageLoader.Load(paths[first + k], colorMode, size); errors[k] = null; }
                catch (KerasNetException e) { images[k] = null; errors[k] = e; }
            });
            next += want;
            for (int k = 0; k < want; k++)
            {
                if (errors[k] is { } e)
                {
                    if (!options.SkipInvalid) throw e;
                    Skipped.Add(names[first + k]);
                    continue;
                }
                var image = images[k]!;
                _standardize.Standardize(image);
                image.Span.CopyTo(full.Buffer.AsSpan(filled * full.SampleSize, full.SampleSize));
                items.Add(first + k);
                filled++;
                images[k] = null;
            }
            if (filled == batch || (next == paths.Count && filled > 0))
            {
                Tensor x = full;
                if (filled < batch)
                {
                    x = last is { } l && l.BatchSize == filled ? l : last = new Tensor([filled, .. sample]);
                    full.Buffer.AsSpan(0, x.Length).CopyTo(x.Span);
                }
                yield return new SampleBatch([x], items.ToArray());
                items.Clear();
                filled = 0;
                // The decoded images of the batch are garbage now. A young collection per batch keeps the heap at one
                // batch of garbage instead of letting it grow to the runtime's gen0 budget (tens of MB, sized from the
                // CPU cache), so memory is the same for 500 images and 50,000; it costs well under a millisecond.
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            }
        }
    }
}

/// <summary>Arrays (one per model input, samples first) cut into batches.</summary>
internal sealed class ArraySource(Tensor[] arrays, int batchSize) : SampleSource
{
    private readonly string[] _names = Enumerable.Range(0, arrays[0].BatchSize).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public override IReadOnlyList<string> Names => _names;
    public override int BatchSize => batchSize;

    public override IEnumerable<SampleBatch> Batches()
    {
        int n = arrays[0].BatchSize;
        var buffers = new Dictionary<int, Tensor[]>();
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            if (!buffers.TryGetValue(count, out var x))
                buffers[count] = x = arrays.Select(a => new Tensor([count, .. a.Shape[1..]])).ToArray();
            for (int i = 0; i < arrays.Length; i++)
                arrays[i].Buffer.AsSpan(start * arrays[i].SampleSize, count * arrays[i].SampleSize).CopyTo(x[i].Span);
            yield return new SampleBatch(x, Enumerable.Range(start, count).ToArray());
        }
    }
}
