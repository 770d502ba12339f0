#nullable enable
namespace KerasNet;

/// <summary>
/// The process-wide random source behind initialisers, shuffling, dropout and augmentation, like
/// <c>keras.utils.set_random_seed</c>: after <see cref="SetRandomSeed"/> a run repeats bit for bit.
/// Each consumer asks for its own stream so that, for example, adding dropout does not change the initial weights.
/// </summary>
public static class KerasRandom
{
    private static int? _seed;
    private static readonly Dictionary<string, Random> Streams = new();
    private static readonly object Gate = new();

    /// <summary>The seed set last, or null when unseeded.</summary>
    public static int? Seed => _seed;

    /// <summary>Seeds every KerasNet random stream (restarting them).</summary>
    public static void SetRandomSeed(int seed)
    {
        lock (Gate)
        {
            _seed = seed;
            Streams.Clear();
        }
    }

    /// <summary>
    /// The named stream (e.g. "init", "shuffle", "dropout", "augment"); seeded from the global seed and the name,
    /// or from entropy when no seed was set.
    /// </summary>
    public static Random Stream(string name)
    {
        lock (Gate)
        {
            if (!Streams.TryGetValue(name, out var r))
            {
                r = _seed is int s ? new Random(Mix(s, name)) : new Random();
                Streams[name] = r;
            }
            return r;
        }
    }

    /// <summary>A generator for an explicit seed, or the named stream when the seed is null.</summary>
    public static Random For(int? seed, string stream) => seed is int s ? new Random(Mix(s, stream)) : Stream(stream);

    // A stable (not string.GetHashCode, which is randomised per process) hash of seed and name.
    private static int Mix(int seed, string name)
    {
        unchecked
        {
            uint h = 2166136261u ^ (uint)seed;
            foreach (char ch in name) h = (h ^ ch) * 16777619u;
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
