#nullable enable
namespace KerasNet.Utils;

/// <summary>
/// numpy's legacy <c>np.random.RandomState(seed)</c> far enough for <c>shuffle</c>: MT19937 seeded by
/// <c>mt19937_seed</c> (init_genrand), and shuffle's Fisher-Yates from the end with <c>random_interval</c>
/// (the smallest bit mask covering the bound, 32-bit draws rejected until one is within it). Keras's
/// dataset_utils shuffles file paths with it, so the same seed gives Keras's order.
/// </summary>
internal sealed class NumpyRandomState
{
    private const int N = 624, M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _pos;

    public NumpyRandomState(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++) _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        _pos = N;
    }

    public uint NextUInt32()
    {
        if (_pos >= N) Generate();
        uint y = _mt[_pos++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    private void Generate()
    {
        for (int k = 0; k < N; k++)
        {
            uint y = (_mt[k] & 0x80000000u) | (_mt[(k + 1) % N] & 0x7fffffffu);
            _mt[k] = _mt[(k + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0dfu : 0);
        }
        _pos = 0;
    }

    /// <summary>A uniform integer in [0, max] (numpy's random_interval for max below 2^32).</summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
        uint v;
        while ((v = NextUInt32() & mask) > max) { }
        return v;
    }

    /// <summary><c>rng.shuffle(x)</c> of a list, in place.</summary>
    public void Shuffle<T>(IList<T> x)
    {
        for (int i = x.Count - 1; i > 0; i--)
        {
            int j = (int)Interval((uint)i);
            (x[i], x[j]) = (x[j], x[i]);
        }
    }
}
