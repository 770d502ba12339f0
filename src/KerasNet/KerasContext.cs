#nullable enable
using KerasNet.Engine;

namespace KerasNet;

/// <summary>
/// Everything KerasNet keeps per session, in one object: the automatic-name counters (<c>conv2d</c>, <c>conv2d_1</c>,
/// ...), the random seed and its named streams, the arithmetic backend, the load limits and the warning sink.
/// <para>
/// <see cref="Default"/> is the process's context, the one Python Keras has implicitly. <see cref="Use"/> makes another
/// one current for a scope of code (an <see cref="AsyncLocal{T}"/>: it follows the code's async flow, tasks and
/// <c>Parallel</c> loops it starts, and nothing else), so independent sessions can run side by side in one process:
/// <code>
/// using (KerasContext.Use(new KerasContext()))
/// {
///     KerasRandom.SetRandomSeed(1);   // seeds this context only
///     var model = new Sequential();   // "sequential", whatever other contexts have named
/// }
/// </code>
/// The static facades (<see cref="KerasBackend"/>, <see cref="KerasRandom"/>, <see cref="Backend.Current"/>,
/// <see cref="Keras.Warning"/>, <see cref="Preprocessing.Image.ImageLoader.MaxImagePixels"/>) read and write
/// <see cref="Current"/>.
/// </para>
/// <para>
/// <b>Which context an object uses.</b> Objects do not capture a context; each piece of state is read from the context
/// current when it is needed: a layer or model takes its automatic name from the context current when it is
/// constructed, its initial weights from the one current when it is built (the "init" stream), its unseeded dropout
/// masks from the one current at each call (the "dropout" stream), and every call runs on the current context's
/// <see cref="Backend"/>. Shuffling and augmentation streams are taken when the iterator or sequence is created
/// (<c>Fit</c> on arrays creates its sequence per call). Loading checks the limits of the context current at load time,
/// and warnings go to the sink current when they are raised. So a model built in one context and trained in another
/// draws its dropout masks from the second; keep a session's work inside one <see cref="Use"/> scope to make it repeat
/// bit for bit. Layers and iterators given an explicit seed use their own generator, the same in every context.
/// </para>
/// <para>
/// <b>Threads.</b> The name counters and the stream table are locked, as the process-wide ones were; a
/// <see cref="Random"/> stream itself is not thread-safe, so one stream should not be drawn from on two threads at
/// once. The kernels' thread count (<see cref="Threads.Count"/>) stays process-wide: it sizes the one worker pool
/// that all contexts share, and the pool's threads never see the caller's context.
/// </para>
/// </summary>
public sealed class KerasContext
{
    private static readonly AsyncLocal<KerasContext?> Override = new();
    private static readonly IBackend SharedCpu = new CpuBackend();

    private readonly Dictionary<string, int> _nameCounts = new();
    private readonly object _namesGate = new();
    private readonly Dictionary<string, Random> _streams = new();
    private readonly object _randomGate = new();
    private int? _seed;
    private IBackend _backend = SharedCpu;
    private Action<string> _warning = DefaultWarning;

    /// <summary>
    /// A fresh session, as a new process starts: no names taken, no seed (streams from entropy), the managed CPU
    /// backend, the default <see cref="KerasLimits"/>, warnings to standard error.
    /// </summary>
    public KerasContext() { }

    /// <summary>The process-wide context, used wherever no <see cref="Use"/> scope is active.</summary>
    public static KerasContext Default { get; } = new();

    /// <summary>The context of the innermost active <see cref="Use"/> scope in this async flow, else <see cref="Default"/>.</summary>
    public static KerasContext Current => Override.Value ?? Default;

    /// <summary>
    /// Makes <paramref name="context"/> current for this async flow until the returned scope is disposed, which
    /// restores the context that was current before. Scopes nest; dispose them in reverse order (a <c>using</c> does).
    /// </summary>
    /// <param name="context">The context to make current.</param>
    /// <returns>The scope; disposing it restores the previous context.</returns>
    public static IDisposable Use(KerasContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = new Scope(Override.Value);
        Override.Value = context;
        return scope;
    }

    // ---- automatic names (keras.backend.clear_session / unique_object_name) ----

    /// <summary>Resets this context's automatic name counters (<c>keras.backend.clear_session()</c>).</summary>
    public void ClearSession()
    {
        lock (_namesGate) _nameCounts.Clear();
    }

    /// <summary>
    /// As Keras's <c>unique_object_name</c>: zero-based gives <c>base</c>, <c>base_1</c>, ...; one-based (tf.keras
    /// 2.4's <c>Input</c>) gives <c>base_1</c>, <c>base_2</c>, ... Counted per context until <see cref="ClearSession"/>.
    /// </summary>
    /// <param name="baseName">The name to number.</param>
    /// <param name="zeroBased">True (the default) for <c>base</c>, <c>base_1</c>, ...; false for <c>base_1</c>,
    /// <c>base_2</c>, ...</param>
    /// <returns>The next unused name in this context.</returns>
    public string UniqueName(string baseName, bool zeroBased = true)
    {
        ArgumentNullException.ThrowIfNull(baseName);
        lock (_namesGate)
        {
            _nameCounts.TryGetValue(baseName, out int n);
            _nameCounts[baseName] = n + 1;
            if (!zeroBased) return $"{baseName}_{n + 1}";
            return n == 0 ? baseName : $"{baseName}_{n}";
        }
    }

    // ---- random streams (keras.utils.set_random_seed) ----

    /// <summary>The seed set last in this context, or null when unseeded.</summary>
    public int? Seed
    {
        get { lock (_randomGate) return _seed; }
    }

    /// <summary>Seeds every random stream of this context (restarting them).</summary>
    /// <param name="seed">The seed, Keras's <c>keras.utils.set_random_seed(seed)</c>.</param>
    public void SetRandomSeed(int seed)
    {
        lock (_randomGate)
        {
            _seed = seed;
            _streams.Clear();
        }
    }

    /// <summary>
    /// The named stream (e.g. "init", "shuffle", "dropout", "augment"), seeded from this context's seed and the name,
    /// or from entropy when no seed was set. The same name gives the same generator until the next seed.
    /// </summary>
    /// <param name="name">The stream's name ("init", "shuffle", "dropout", "augment" or one of your own).</param>
    /// <returns>The stream's generator (not thread-safe: one flow at a time).</returns>
    public Random Stream(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_randomGate)
        {
            if (!_streams.TryGetValue(name, out var r))
            {
                r = _seed is int s ? new Random(Mix(s, name)) : new Random();
                _streams[name] = r;
            }
            return r;
        }
    }

    /// <summary>A new generator for an explicit seed (the same in every context), or the named stream when the seed is null.</summary>
    /// <param name="seed">An explicit seed, or null for the named stream.</param>
    /// <param name="stream">The stream to use without a seed, and to mix into the seed.</param>
    /// <returns>The generator.</returns>
    public Random For(int? seed, string stream) => seed is int s ? new Random(Mix(s, stream)) : Stream(stream);

    // A stable (not string.GetHashCode, which is randomised per process) hash of seed and name.
    internal static int Mix(int seed, string name)
    {
        unchecked
        {
            uint h = 2166136261u ^ (uint)seed;
            foreach (char ch in name) h = (h ^ ch) * 16777619u;
            return (int)(h & 0x7FFFFFFF);
        }
    }

    // ---- backend, limits, warnings ----

    /// <summary>The engine layers compute with (the managed SIMD CPU engine unless replaced).</summary>
    internal IBackend Backend
    {
        get => Volatile.Read(ref _backend);
        set => Volatile.Write(ref _backend, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The sizes loading refuses beyond (this context's own, mutable instance).</summary>
    public KerasLimits Limits { get; } = new();

    /// <summary>
    /// Receives warnings (skipped optimizer weights, an unsupported training config, a missing monitored metric); by
    /// default they go to standard error with a <c>WARNING: </c> prefix, as Python's warnings do.
    /// </summary>
    public Action<string> Warning
    {
        get => Volatile.Read(ref _warning);
        set => Volatile.Write(ref _warning, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Sends <paramref name="message"/> to <see cref="Warning"/>.</summary>
    /// <param name="message">The warning text.</param>
    public void Warn(string message) => Warning(message);

    private static void DefaultWarning(string message) => Console.Error.WriteLine("WARNING: " + message);

    private sealed class Scope(KerasContext? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Override.Value = previous;
        }
    }
}

/// <summary>
/// The load limits of a <see cref="KerasContext"/>: guards against corrupt or hostile files that declare more than any
/// real model needs, checked before anything that size is allocated. Raise them for trusted, unusually large files.
/// </summary>
public sealed partial class KerasLimits
{
    /// <summary>The default <see cref="MaxParams"/>: 2^29 weights (2 GB of float32).</summary>
    public const long DefaultMaxParams = 1L << 29;

    /// <summary>The default <see cref="MaxImagePixels"/>: twice PIL's MAX_IMAGE_PIXELS (PIL's DecompressionBombError).</summary>
    public const long DefaultMaxImagePixels = 2L * 89_478_485;

    /// <summary>The default <see cref="MaxArchiveJsonBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxArchiveJsonBytes = 64L << 20;

    /// <summary>The default <see cref="MaxArchiveWeightsBytes"/>: 2 GiB.</summary>
    public const long DefaultMaxArchiveWeightsBytes = 2L << 30;

    private long _maxParams = DefaultMaxParams;
    private long _maxImagePixels = DefaultMaxImagePixels;
    private long _maxArchiveJsonBytes = DefaultMaxArchiveJsonBytes;
    private long _maxArchiveWeightsBytes = DefaultMaxArchiveWeightsBytes;

    /// <summary>
    /// The most weights a model config alone may declare (<see cref="Keras.ModelFromJson"/>; the config inside a model
    /// file is bounded by what the file can hold instead), and the largest layer input (in values) any config may imply.
    /// </summary>
    public long MaxParams { get => _maxParams; set => _maxParams = Positive(value); }

    /// <summary>Images with more pixels than this are refused before decoding.</summary>
    public long MaxImagePixels { get => _maxImagePixels; set => _maxImagePixels = Positive(value); }

    /// <summary>The largest <c>config.json</c> a <c>.keras</c> archive may declare, in bytes.</summary>
    public long MaxArchiveJsonBytes { get => _maxArchiveJsonBytes; set => _maxArchiveJsonBytes = Positive(value); }

    /// <summary>The largest <c>model.weights.h5</c> a <c>.keras</c> archive may declare, in bytes.</summary>
    public long MaxArchiveWeightsBytes { get => _maxArchiveWeightsBytes; set => _maxArchiveWeightsBytes = Positive(value); }

    private static long Positive(long value, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "a limit must be positive.");
}
