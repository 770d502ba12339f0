#nullable enable
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Serving;
using Microsoft.AspNetCore.Builder;

namespace KerasNet.Bench;

/// <summary>
/// <c>serve [--quick] [--soak SECONDS]</c>: <c>kerasnet serve</c>'s server (ServeApp, in this process, on a free
/// loopback port) under N concurrent clients (1, 8, 32, 128), each sending a fixed count of TF Serving
/// <c>:predict</c> requests of one sample, for the tutorial CNN and a small MNIST CNN (keras.io's mnist_convnet), with
/// dynamic batching on and off. Per case: requests/s, p50/p99 latency, wrong answers (each answer compared with a
/// direct <c>Predict</c> of the same input: a different class or a value off by more than 1e-5 is wrong; answers that
/// are merely not bit-identical are counted apart), and the process's memory before and after. <c>--soak S</c>
/// instead runs 32 clients on both models for S seconds and reports memory every 30 s; flat is a pass.
/// Memory is the whole process's (the clients run in it too): the working set and the managed heap after a full
/// collection.
/// </summary>
internal static class ServeBench
{
    private static readonly int[] ClientCounts = [1, 8, 32, 128];
    // Distinct inputs per model: enough that a batch mixes different samples, few enough to precompute.
    private const int Pool = 16;
    // Tolerance of a "right" answer: float32 rounding of a differently blocked sum, far below any class margin.
    private const float Tolerance = 1e-5f;

    private sealed record Workload(string Name, string Path, byte[][] Bodies, float[][] Expected);

    private sealed record CaseResult(string Case, int Requests, double Seconds, double P50, double P99, int Wrong, int Inexact, int Failed,
        long WorkingSetBefore, long WorkingSetAfter, long HeapBefore, long HeapAfter);

    /// <summary>Runs the bench with the command line's arguments after <c>serve</c>: <c>--quick</c>, <c>--soak SECONDS</c>.</summary>
    public static void Run(string[] args)
    {
        int at = Array.IndexOf(args, "--soak");
        int soak = 0;
        if (at >= 0 && (at + 1 >= args.Length || !int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out soak) || soak < 1))
            throw new ArgumentException("--soak needs a number of seconds (1 or more), e.g. --soak 600.");
        RunAsync(args.Contains("--quick"), soak).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(bool quick, int soakSeconds)
    {
        string dir = Directory.CreateTempSubdirectory("kerasnet-serve-bench-").FullName;
        try
        {
            Console.WriteLine($"serve bench: {Environment.ProcessorCount} cores, engine threads {Threads.Count}{(quick ? ", quick" : "")}");
            var workloads = new[] { Prepare(dir, "tutorial_cnn", TutorialCnn()), Prepare(dir, "mnist_cnn", MnistCnn()) };
            if (soakSeconds > 0) { await Soak(workloads, soakSeconds); return; }
            var results = new List<CaseResult>();
            foreach (bool batching in new[] { true, false })
            {
                var (app, url) = await Start(workloads, batching);
                try
                {
                    using var http = Client(128);
                    foreach (var w in workloads)
                    {
                        await Clients(http, url, w, clients: 2, each: 2); // warm up: first calls build contexts
                        foreach (int clients in ClientCounts)
                        {
                            int each = RequestsEach(w, clients, quick);
                            var r = await Measure($"{w.Name}/{(batching ? "batching" : "no-batching")}/{clients}", http, url, w, clients, each);
                            results.Add(r);
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"RESULT\t{r.Case}\t{r.P50:F2}\t{r.P99:F2}\t{r.Requests / r.Seconds:F1}\t{r.Wrong}"));
                        }
                    }
                }
                finally { await app.StopAsync(); await app.DisposeAsync(); }
            }
            PrintTable(results);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Requests per client: fewer with more clients so every case takes about as long; the tutorial CNN's predict is ~10x the MNIST CNN's.</summary>
    private static int RequestsEach(Workload w, int clients, bool quick)
    {
        int total = (w.Name == "tutorial_cnn" ? 256 : 2048) / (quick ? 8 : 1);
        return Math.Max(2, total / clients);
    }

    /// <summary>The tutorial's CNN (64x64x3, Conv2D 32, pooling, Dense 3137, softmax 2), seeded weights.</summary>
    private static Sequential TutorialCnn()
    {
        KerasRandom.SetRandomSeed(1);
        return Applications.TutorialCnn.Build(64, 3);
    }

    /// <summary>keras.io's mnist_convnet (28x28x1: Conv2D 32, pool, Conv2D 64, pool, flatten, dropout, softmax 10), seeded weights.</summary>
    private static Sequential MnistCnn()
    {
        KerasRandom.SetRandomSeed(2);
        return InferBench.MnistConvnet(name: "mnist_cnn");
    }

    /// <summary>Saves the model, makes <see cref="Pool"/> random inputs as :predict bodies and their direct Predict answers.</summary>
    private static Workload Prepare(string dir, string name, Sequential model)
    {
        string path = Path.Combine(dir, name + ".h5");
        model.Save(path);
        var shape = model.Inputs[0].Shape;
        int size = shape.Aggregate(1, (a, b) => a * b);
        var rng = new Random(name.Length);
        var bodies = new byte[Pool][];
        var expected = new float[Pool][];
        for (int i = 0; i < Pool; i++)
        {
            var x = new Tensor([1, .. shape]);
            for (int j = 0; j < size; j++) x[j] = (float)rng.NextDouble();
            expected[i] = model.Predict(x).ToArray();
            bodies[i] = Instances(x, shape);
        }
        return new Workload(name, path, bodies, expected);
    }

    /// <summary><c>{"instances": [sample]}</c>, the sample as nested lists, each float in its shortest round-trip form.</summary>
    private static byte[] Instances(Tensor x, int[] shape)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("instances");
            int at = 0;
            Nested(w, x.ToArray(), shape, 0, ref at);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Nested(Utf8JsonWriter w, float[] data, int[] shape, int dim, ref int at)
    {
        if (dim == shape.Length) { w.WriteNumberValue(data[at++]); return; }
        w.WriteStartArray();
        for (int i = 0; i < shape[dim]; i++) Nested(w, data, shape, dim + 1, ref at);
        w.WriteEndArray();
    }

    private static async Task<(WebApplication App, Uri Url)> Start(Workload[] workloads, bool batching)
    {
        var options = new ServeOptions { Port = 0, EnableBatching = batching };
        foreach (var w in workloads) options.Models.Add((w.Name, w.Path));
        var app = ServeApp.Build(options);
        await app.StartAsync();
        return (app, ServeApp.Address(app));
    }

    private static HttpClient Client(int connections) => new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
    {
        Timeout = TimeSpan.FromSeconds(120),
    };

    private static async Task<CaseResult> Measure(string name, HttpClient http, Uri url, Workload w, int clients, int each)
    {
        var (wsBefore, heapBefore) = Memory();
        var sw = Stopwatch.StartNew();
        var tally = await Clients(http, url, w, clients, each);
        double seconds = sw.Elapsed.TotalSeconds;
        var (wsAfter, heapAfter) = Memory();
        var lat = tally.Latencies.Order().ToArray();
        return new CaseResult(name, lat.Length, seconds, Percentile(lat, 0.50), Percentile(lat, 0.99), tally.Wrong, tally.Inexact, tally.Failed,
            wsBefore, wsAfter, heapBefore, heapAfter);
    }

    private sealed class Tally
    {
        public readonly List<double> Latencies = [];
        public int Wrong, Inexact, Failed;
        public int Done; // requests answered so far, counted as they happen (the soak reports it while clients run)
        public string? FirstProblem;

        public void Add(Tally other)
        {
            lock (this)
            {
                Latencies.AddRange(other.Latencies);
                Wrong += other.Wrong; Inexact += other.Inexact; Failed += other.Failed;
                FirstProblem ??= other.FirstProblem;
            }
        }
    }

    /// <summary><paramref name="clients"/> clients, each sending <paramref name="each"/> requests one after the other (or until <paramref name="until"/>).</summary>
    private static async Task<Tally> Clients(HttpClient http, Uri url, Workload w, int clients, int each, DateTime? until = null, Tally? into = null)
    {
        var total = into ?? new Tally();
        var uri = new Uri(url, $"v1/models/{w.Name}:predict");
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new Tally();
            for (int r = 0; until is { } end ? DateTime.UtcNow < end : r < each; r++)
            {
                int i = (c * 7 + r) % Pool;
                var sw = Stopwatch.StartNew();
                try
                {
                    using var content = new ByteArrayContent(w.Bodies[i]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await http.PostAsync(uri, content);
                    byte[] body = await response.Content.ReadAsByteArrayAsync();
                    mine.Latencies.Add(sw.Elapsed.TotalMilliseconds);
                    Interlocked.Increment(ref total.Done);
                    if (!response.IsSuccessStatusCode) { mine.Failed++; mine.FirstProblem ??= $"HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}"; continue; }
                    Check(body, w.Expected[i], mine);
                }
                catch (HttpRequestException e) { mine.Failed++; mine.FirstProblem ??= e.Message; }
                catch (TaskCanceledException e) { mine.Failed++; mine.FirstProblem ??= "timed out: " + e.Message; }
            }
            total.Add(mine);
        })));
        if (total.FirstProblem != null && into == null) Console.WriteLine($"  {w.Name}, {clients} clients: first problem: {total.FirstProblem}");
        return total;
    }

    /// <summary>Compares <c>{"predictions": [[...]]}</c> with the direct Predict of the same input.</summary>
    private static void Check(byte[] body, float[] expected, Tally t)
    {
        using var doc = JsonDocument.Parse(body);
        var row = doc.RootElement.GetProperty("predictions")[0];
        var got = row.EnumerateArray().Select(e => e.GetSingle()).ToArray();
        if (got.Length != expected.Length) { t.Wrong++; t.FirstProblem ??= $"{got.Length} values, expected {expected.Length}"; return; }
        bool exact = true, right = ArgMax(got) == ArgMax(expected);
        for (int k = 0; k < got.Length; k++)
        {
            if (BitConverter.SingleToInt32Bits(got[k]) != BitConverter.SingleToInt32Bits(expected[k])) exact = false;
            if (!(Math.Abs(got[k] - expected[k]) <= Tolerance)) right = false;
        }
        if (!right) { t.Wrong++; t.FirstProblem ??= $"answer [{string.Join(", ", got)}], direct Predict [{string.Join(", ", expected)}]"; }
        else if (!exact) t.Inexact++;
    }

    private static int ArgMax(float[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>(working set, managed heap after a full collection) in bytes.</summary>
    private static (long Ws, long Heap) Memory()
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var p = Process.GetCurrentProcess();
        return (p.WorkingSet64, heap);
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);

    private static void PrintTable(List<CaseResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"case",-34} {"requests",8} {"req/s",8} {"p50 ms",8} {"p99 ms",8} {"wrong",6} {"inexact",7} {"failed",6} {"RSS MB before→after",20} {"heap MB before→after",21}");
        foreach (var r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Case,-34} {r.Requests,8} {r.Requests / r.Seconds,8:F1} {r.P50,8:F2} {r.P99,8:F2} {r.Wrong,6} {r.Inexact,7} {r.Failed,6} {Mb(r.WorkingSetBefore) + "→" + Mb(r.WorkingSetAfter),20} {Mb(r.HeapBefore) + "→" + Mb(r.HeapAfter),21}"));
    }

    /// <summary>32 clients (16 per model) for <paramref name="seconds"/>, memory every 30 s; flat: the managed heap's last sample within 10 % (+16 MiB) of the first (after 30 s of load).</summary>
    private static async Task Soak(Workload[] workloads, int seconds)
    {
        // Reported every 30 s, as the issue asks; the first sample (after 30 s of load) is the baseline.
        var period = TimeSpan.FromSeconds(Math.Min(30, seconds));
        var (app, url) = await Start(workloads, batching: true);
        try
        {
            using var http = Client(64);
            foreach (var w in workloads) await Clients(http, url, w, clients: 2, each: 2);
            var (ws0, heap0) = Memory();
            Console.WriteLine($"soak: 32 clients (16 per model) for {seconds} s; memory at start: RSS {Mb(ws0)} MB, heap {Mb(heap0)} MB");
            var end = DateTime.UtcNow.AddSeconds(seconds);
            var tallies = workloads.Select(_ => new Tally()).ToArray();
            var load = Task.WhenAll(workloads.Select((w, i) => Clients(http, url, w, clients: 16, each: 0, until: end, into: tallies[i])));
            var samples = new List<(long Ws, long Heap)>();
            var sw = Stopwatch.StartNew();
            while (await Task.WhenAny(load, Task.Delay(period)) != load)
            {
                var m = Memory();
                samples.Add(m);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {sw.Elapsed.TotalSeconds,5:F0} s: RSS {Mb(m.Ws)} MB, heap {Mb(m.Heap)} MB, {tallies.Sum(t => Volatile.Read(ref t.Done))} requests"));
            }
            await load;
            samples.Add(Memory()); // and once more when the clients stop
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {sw.Elapsed.TotalSeconds,5:F0} s: RSS {Mb(samples[^1].Ws)} MB, heap {Mb(samples[^1].Heap)} MB (clients done)"));
            int wrong = tallies.Sum(t => t.Wrong), failed = tallies.Sum(t => t.Failed), inexact = tallies.Sum(t => t.Inexact), requests = tallies.Sum(t => t.Latencies.Count);
            var first = samples.Count > 0 ? samples[0] : (Ws: ws0, Heap: heap0);
            var last = samples.Count > 0 ? samples[^1] : (Ws: ws0, Heap: heap0);
            bool Flat(long a, long b) => b <= a * 1.10 + (16L << 20);
            // The verdict is the managed heap's, live objects after a full collection: the working set also moves with
            // the machine's memory pressure (the tutorial CNN's 386 MB of weights page in and out on a shared host).
            bool flat = Flat(first.Heap, last.Heap);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT\tserve/soak/32\t{requests / sw.Elapsed.TotalSeconds:F1}\t{Mb(last.Ws)}\t{Mb(last.Heap)}\t{wrong}"));
            Console.WriteLine($"soak: {requests} requests, {wrong} wrong, {inexact} not bit-identical, {failed} failed; RSS {Mb(first.Ws)} → {Mb(last.Ws)} MB, heap {Mb(first.Heap)} → {Mb(last.Heap)} MB: {(flat ? "flat (pass)" : "GROWING (fail)")}");
            foreach (var t in tallies) if (t.FirstProblem != null) Console.WriteLine($"  first problem: {t.FirstProblem}");
        }
        finally { await app.StopAsync(); await app.DisposeAsync(); }
    }
}
