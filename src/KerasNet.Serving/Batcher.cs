using System.Threading.Channels;
using KerasNet.Engine;

namespace KerasNet.Serving;

/// <summary>
/// Dynamic batching of one model's Predict calls, as TF Serving's batching session: requests wait in a queue; each of
/// <see cref="ServeOptions.NumBatchThreads"/> threads in turn takes the oldest, waits up to
/// <see cref="ServeOptions.BatchTimeoutMicros"/> for more with the same per-sample shapes, up to
/// <see cref="ServeOptions.MaxBatchSize"/> rows, runs them as one Predict call and hands each request its rows.
/// The engine computes every row of a batch independently of the others, so a batched answer is the unbatched one.
/// Past <c>max_enqueued_batches x max_batch_size</c> queued rows a request is refused (TF Serving's UNAVAILABLE, 503).
/// </summary>
internal sealed class Batcher : IDisposable
{
    /// <summary>One request's rows: an input tensor per model input, each (rows, per-sample shape...).</summary>
    internal sealed class Job(Tensor[] inputs, CancellationToken cancel)
    {
        public Tensor[] Inputs { get; } = inputs;
        public int Rows => Inputs[0].BatchSize;
        public CancellationToken Cancel { get; } = cancel;
        public TaskCompletionSource<(Tensor[] Outputs, int BatchRows)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Whether <paramref name="other"/> can share a batch with this job (same per-sample shapes).</summary>
        public bool Fits(Job other)
        {
            for (int i = 0; i < Inputs.Length; i++)
                if (!Inputs[i].Shape.AsSpan(1).SequenceEqual(other.Inputs[i].Shape.AsSpan(1))) return false;
            return true;
        }
    }

    private readonly ServedModel _model;
    private readonly ServeOptions _options;
    private readonly Channel<Job> _queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Thread[] _threads;
    private long _queuedRows;
    private readonly object _forming = new();
    private Job? _carry; // taken from the queue but left for the next batch; guarded by _forming

    public Batcher(ServedModel model, ServeOptions options)
    {
        _model = model;
        _options = options;
        _threads = options.EnableBatching
            ? Enumerable.Range(0, options.NumBatchThreads).Select(i => new Thread(Loop) { IsBackground = true, Name = $"kerasnet-batch-{model.Name}-{i}" }).ToArray()
            : [];
        foreach (var t in _threads) t.Start();
    }

    /// <summary>Queued rows not yet taken into a batch.</summary>
    public long QueuedRows => Interlocked.Read(ref _queuedRows);

    /// <summary>Runs the rows of <paramref name="inputs"/>, batched with other requests when batching is on; returns the outputs and the rows of the batch they ran in.</summary>
    public async Task<(Tensor[] Outputs, int BatchRows)> PredictAsync(Tensor[] inputs, CancellationToken cancel)
    {
        if (!_options.EnableBatching) return (Run(inputs), inputs[0].BatchSize);
        int rows = inputs[0].BatchSize;
        long limit = (long)_options.MaxEnqueuedBatches * _options.MaxBatchSize;
        long queued = Interlocked.Add(ref _queuedRows, rows);
        if (queued > limit && queued != rows) // a request larger than the whole queue still runs when it is alone
        {
            Interlocked.Add(ref _queuedRows, -rows);
            throw new ApiException(503, $"The batch scheduling queue to which this task was submitted is full (model '{_model.Name}': " +
                $"{limit} rows = max_enqueued_batches {_options.MaxEnqueuedBatches} x max_batch_size {_options.MaxBatchSize} are waiting); retry later.");
        }
        var job = new Job(inputs, cancel);
        if (!_queue.Writer.TryWrite(job))
        {
            Interlocked.Add(ref _queuedRows, -rows);
            throw new ApiException(503, $"Model '{_model.Name}' is shutting down; no new requests are taken.");
        }
        return await job.Done.Task.WaitAsync(cancel).ConfigureAwait(false);
    }

    private Tensor[] Run(Tensor[] inputs) => _model.Model.PredictOnBatch(inputs);

    private void Loop()
    {
        var batch = new List<Job>();
        while (true)
        {
            int rows;
            // One thread forms a batch at a time (TF Serving's scheduler closes one batch per queue at a time), so
            // concurrent requests meet in the same batch; the others run the batches already formed meanwhile.
            lock (_forming)
            {
                batch.Clear();
                rows = Form(batch);
            }
            if (rows == 0) return; // closed and drained
            Execute(batch, rows);
        }
    }

    /// <summary>Collects the next batch into <paramref name="batch"/> (under <see cref="_forming"/>); 0 rows when the queue is closed and empty.</summary>
    private int Form(List<Job> batch)
    {
        var reader = _queue.Reader;
        Job first;
        if (_carry != null) { first = _carry; _carry = null; }
        else if (!TryTake(reader, Timeout.InfiniteTimeSpan, out first!)) return 0;
        batch.Add(first);
        int rows = first.Rows;
        var deadline = DateTime.UtcNow + TimeSpan.FromMicroseconds(_options.BatchTimeoutMicros);
        while (rows < _options.MaxBatchSize)
        {
            var left = deadline - DateTime.UtcNow;
            if (!TryTake(reader, left > TimeSpan.Zero ? left : TimeSpan.Zero, out var next)) break;
            // A job of other shapes, or one that would overflow the batch, opens the next batch.
            if (!first.Fits(next) || rows + next.Rows > _options.MaxBatchSize) { _carry = next; break; }
            batch.Add(next);
            rows += next.Rows;
        }
        return rows;
    }

    /// <summary>Takes the next job not cancelled meanwhile, waiting up to <paramref name="wait"/>; false on timeout or when closed and empty.</summary>
    private bool TryTake(ChannelReader<Job> reader, TimeSpan wait, out Job job)
    {
        while (true)
        {
            if (reader.TryRead(out job!))
            {
                Interlocked.Add(ref _queuedRows, -job.Rows);
                if (job.Cancel.IsCancellationRequested) { job.Done.TrySetCanceled(job.Cancel); continue; }
                return true;
            }
            if (wait == TimeSpan.Zero) return false;
            var ready = reader.WaitToReadAsync().AsTask();
            if (wait != Timeout.InfiniteTimeSpan && !ready.Wait(wait)) return false;
            if (!ready.Result) return false; // completed: no more jobs will come
            if (wait != Timeout.InfiniteTimeSpan) wait = TimeSpan.FromTicks(1); // woken: read what is there without waiting again
        }
    }

    private void Execute(List<Job> batch, int rows)
    {
        try
        {
            var inputs = batch.Count == 1 ? batch[0].Inputs : Concatenate(batch, rows);
            var outputs = Run(inputs);
            if (batch.Count == 1) { batch[0].Done.TrySetResult((outputs, rows)); return; }
            int row = 0;
            foreach (var job in batch)
            {
                job.Done.TrySetResult((outputs.Select(o => Slice(o, row, job.Rows)).ToArray(), rows));
                row += job.Rows;
            }
        }
        catch (Exception e)
        {
            foreach (var job in batch) job.Done.TrySetException(e);
        }
    }

    private static Tensor[] Concatenate(List<Job> batch, int rows)
    {
        int inputs = batch[0].Inputs.Length;
        var result = new Tensor[inputs];
        for (int i = 0; i < inputs; i++)
        {
            var shape = (int[])batch[0].Inputs[i].Shape.Clone();
            shape[0] = rows;
            var t = new Tensor(shape);
            int offset = 0;
            foreach (var job in batch)
            {
                var src = job.Inputs[i].Span;
                src.CopyTo(t.Span[offset..]);
                offset += src.Length;
            }
            result[i] = t;
        }
        return result;
    }

    private static Tensor Slice(Tensor t, int row, int rows)
    {
        var shape = (int[])t.Shape.Clone();
        shape[0] = rows;
        var r = new Tensor(shape);
        t.Span.Slice(row * t.SampleSize, rows * t.SampleSize).CopyTo(r.Span);
        return r;
    }

    /// <summary>Takes no new requests, answers every queued one, then stops the threads.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        foreach (var t in _threads) t.Join();
    }
}
