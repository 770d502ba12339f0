#nullable enable
using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// What <see cref="Keras.Utils.ImageDatasetFromDirectory"/> returns: batches of (batch, height, width, channels)
/// float32 images (0..255, tf.image.resize's values) and their labels, usable by Fit, Evaluate and Predict.
/// <see cref="FilePaths"/> and <see cref="ClassNames"/> are Keras's <c>dataset.file_paths</c> and
/// <c>dataset.class_names</c>. With shuffle, the order of each epoch is a local shuffle of the file order (Keras's
/// <c>dataset.shuffle(buffer_size=batch_size * 8)</c>, reshuffled every epoch); its random numbers are KerasNet's,
/// not TensorFlow's, so only the global file order (<see cref="FilePaths"/>) matches Keras for a seed.
/// </summary>
public sealed class ImageDataset : IDataSequence
{
    private readonly int[] _order;
    private readonly Random? _rng;
    private readonly int _bands, _height, _width;
    private readonly string _colorMode, _interpolation;
    private readonly bool _crop;

    internal ImageDataset(List<string> paths, int[]? labels, string[] classNames, string? labelMode, string colorMode,
        int batchSize, (int Height, int Width) imageSize, bool shuffle, uint seed, string interpolation, bool cropToAspectRatio)
    {
        FilePaths = paths; Labels = labels; ClassNames = classNames; LabelMode = labelMode; BatchSize = batchSize;
        _colorMode = colorMode; _interpolation = interpolation; _crop = cropToAspectRatio;
        (_height, _width) = imageSize;
        _bands = PilImage.BandsOf(ColorConversion.ModeFor(colorMode));
        _order = Enumerable.Range(0, paths.Count).ToArray();
        if (shuffle)
        {
            _rng = new Random(unchecked((int)seed));
            LocalShuffle();
        }
    }

    /// <summary>The image files in dataset order (Keras's <c>file_paths</c>).</summary>
    public IReadOnlyList<string> FilePaths { get; }
    /// <summary>The integer label of each file (null without labels).</summary>
    public IReadOnlyList<int>? Labels { get; }
    /// <summary>The class names (Keras's <c>class_names</c>).</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>"int", "categorical", "binary" or null.</summary>
    public string? LabelMode { get; }
    /// <summary>Images per batch (the last batch may be smaller).</summary>
    public int BatchSize { get; }
    /// <summary>The order of this epoch's samples (indices into <see cref="FilePaths"/>).</summary>
    public IReadOnlyList<int> EpochOrder => _order;

    /// <inheritdoc/>
    public int Count => (Samples + BatchSize - 1) / BatchSize;
    /// <inheritdoc/>
    public int Samples => FilePaths.Count;

    /// <inheritdoc/>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        int start = index * BatchSize, n = Math.Min(BatchSize, Samples - start);
        int size = _height * _width * _bands;
        var x = new Tensor(n, _height, _width, _bands);
        var buffer = x.Buffer;
        Parallel.For(0, n, i => LoadInto(FilePaths[_order[start + i]], buffer.AsSpan(i * size, size)));
        return new Batch(x, LabelsOf(start, n));
    }

    private void LoadInto(string path, Span<float> dst)
    {
        var im = ImageLoader.LoadImage(path, _colorMode, null, "nearest");
        var box = _crop ? TfResize.SmartCrop(im.Height, im.Width, _height, _width) : (0, 0, im.Height, im.Width);
        TfResize.Resize(im.Data, im.Width, im.Bands, box, _height, _width, _interpolation, dst);
    }

    private Tensor? LabelsOf(int start, int n)
    {
        if (Labels is null || LabelMode is null) return null;
        switch (LabelMode)
        {
            case "categorical":
            {
                int k = ClassNames.Count;
                var y = new Tensor(n, k);
                for (int i = 0; i < n; i++) y[i * k + Labels[_order[start + i]]] = 1;
                return y;
            }
            case "binary":
            {
                var y = new Tensor(n, 1);
                for (int i = 0; i < n; i++) y[i] = Labels[_order[start + i]];
                return y;
            }
            default:
            {
                var y = new Tensor(n);
                for (int i = 0; i < n; i++) y[i] = Labels[_order[start + i]];
                return y;
            }
        }
    }

    /// <inheritdoc/>
    public void OnEpochEnd()
    {
        if (_rng != null) LocalShuffle();
    }

    // tf.data's shuffle: a buffer of batch_size * 8 elements in file order; each output is a uniformly chosen buffer
    // element, whose slot the next input element takes.
    private void LocalShuffle()
    {
        int bufferSize = Math.Max(1, BatchSize * 8), next = 0;
        var buffer = new List<int>(bufferSize);
        while (next < _order.Length && buffer.Count < bufferSize) buffer.Add(next++);
        for (int k = 0; k < _order.Length; k++)
        {
            int j = _rng!.Next(buffer.Count);
            _order[k] = buffer[j];
            if (next < _order.Length) buffer[j] = next++;
            else { buffer[j] = buffer[^1]; buffer.RemoveAt(buffer.Count - 1); }
        }
    }
}
