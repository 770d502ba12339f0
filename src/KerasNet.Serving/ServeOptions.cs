namespace KerasNet.Serving;

/// <summary>
/// What <c>kerasnet serve</c> serves and how: the models, the address, the request limits and TensorFlow Serving's
/// batching options (<c>max_batch_size</c>, <c>batch_timeout_micros</c>, <c>num_batch_threads</c>,
/// <c>max_enqueued_batches</c>). Read once by <see cref="ServeApp.Build"/>; changing it afterwards has no effect.
/// </summary>
public sealed class ServeOptions
{
    /// <summary>The models: (name in the URL, model file: .h5, .hdf5 or .keras). At least one; names are unique.</summary>
    public IList<(string Name, string Path)> Models { get; } = new List<(string Name, string Path)>();

    /// <summary>The address to listen on (default "127.0.0.1", loopback only; "0.0.0.0" or "::" for every interface).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The TCP port (default 8501, TensorFlow Serving's REST port; 0 picks a free one, see <see cref="ServeApp.Address"/>).</summary>
    public int Port { get; set; } = 8501;

    /// <summary>Largest request body in bytes (default 64 MiB: a batch of a few hundred 224x224x3 images as JSON); larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64L << 20;

    /// <summary>Longest a request may take, reading its body and waiting for its batch included (default 30 s); past it the answer is 503 (TF Serving's DEADLINE_EXCEEDED).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest decoded image of <c>:classify-image</c> in pixels (default 4096 x 4096): checked from the header, before decoding (an image bomb gets 413).</summary>
    public long MaxImagePixels { get; set; } = 4096L * 4096;

    /// <summary>Whether concurrent requests are batched (TF Serving's <c>--enable_batching</c>; default true).</summary>
    public bool EnableBatching { get; set; } = true;

    /// <summary>Rows in one batched Predict call (TF Serving's <c>max_batch_size</c>; default 32: past it the engine's
    /// per-row cost no longer falls). A request with more rows runs as a batch of its own.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>How long the first request of a batch waits for others, in microseconds (TF Serving's
    /// <c>batch_timeout_micros</c>; default 2000: a small share of a CNN's predict time, long enough for clients
    /// sending at once to meet). 0 batches only what is already queued.</summary>
    public long BatchTimeoutMicros { get; set; } = 2000;

    /// <summary>Batches run at once per model (TF Serving's <c>num_batch_threads</c>; default the processor count: each
    /// Predict call also uses the engine's worker pool, so more would only queue there).</summary>
    public int NumBatchThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Batches that may wait per model (TF Serving's <c>max_enqueued_batches</c>; default 100); a request
    /// beyond <c>max_enqueued_batches x max_batch_size</c> queued rows is refused with 503.</summary>
    public int MaxEnqueuedBatches { get; set; } = 100;

    /// <summary>Image preprocessing for <c>:classify-image</c> that overrides the model's sidecar file (null: the sidecar, else the model's input size, rgb, rescale 1/255).</summary>
    public ImagePreprocessing? Preprocessing { get; set; }

    /// <summary>Checks every option, throwing a <see cref="KerasNetException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Models.Count == 0) throw new KerasNetException("ServeOptions.Models: give at least one model to serve.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, path) in Models)
        {
            if (string.IsNullOrEmpty(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
                throw new KerasNetException($"ServeOptions.Models: model name '{name}' must be letters, digits, '_', '-' or '.' (it goes in the URL).");
            if (!seen.Add(name)) throw new KerasNetException($"ServeOptions.Models: the model name '{name}' is given twice.");
            if (string.IsNullOrEmpty(path)) throw new KerasNetException($"ServeOptions.Models: model '{name}' has no file.");
        }
        if (string.IsNullOrWhiteSpace(Host)) throw new KerasNetException("ServeOptions.Host must not be empty.");
        if (Port is < 0 or > 65535) throw new KerasNetException($"ServeOptions.Port must be 0..65535, got {Port}.");
        if (MaxRequestBodyBytes <= 0) throw new KerasNetException($"ServeOptions.MaxRequestBodyBytes must be positive, got {MaxRequestBodyBytes}.");
        if (RequestTimeout <= TimeSpan.Zero) throw new KerasNetException($"ServeOptions.RequestTimeout must be positive, got {RequestTimeout}.");
        if (MaxImagePixels <= 0) throw new KerasNetException($"ServeOptions.MaxImagePixels must be positive, got {MaxImagePixels}.");
        if (MaxBatchSize <= 0) throw new KerasNetException($"ServeOptions.MaxBatchSize (max_batch_size) must be positive, got {MaxBatchSize}.");
        if (BatchTimeoutMicros < 0) throw new KerasNetException($"ServeOptions.BatchTimeoutMicros (batch_timeout_micros) must be >= 0, got {BatchTimeoutMicros}.");
        if (NumBatchThreads <= 0) throw new KerasNetException($"ServeOptions.NumBatchThreads (num_batch_threads) must be positive, got {NumBatchThreads}.");
        if (MaxEnqueuedBatches <= 0) throw new KerasNetException($"ServeOptions.MaxEnqueuedBatches (max_enqueued_batches) must be positive, got {MaxEnqueuedBatches}.");
        Preprocessing?.Validate("ServeOptions.Preprocessing");
    }
}
