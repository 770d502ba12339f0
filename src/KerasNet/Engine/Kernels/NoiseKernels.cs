#nullable enable
using System.Numerics;
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Random masks and noise for the dropout and noise layers, vectorised. Each call's numbers come from a 64-bit key
/// (drawn once per call from the layer's seeded <see cref="Random"/> stream) and the element's index, through a
/// counter-based hash: the same key gives the same numbers whatever the SIMD width or the order of the work, and a
/// call costs one draw from the stream instead of one per element.
/// </summary>
/// <remarks>
/// The hash is two rounds of Chris Wellons' "lowbias32" integer mixer (a bijection of 32-bit words with near-ideal
/// avalanche), keyed by the two halves of the key: <c>h = mix(mix(i * golden + k0) ^ k1)</c>. Its top 24 bits make a
/// uniform float in [0, 1) with every value a multiple of 2^-24, as TensorFlow's random_uniform for float32.
/// </remarks>
internal static class NoiseKernels
{
    private static int W => Vector<float>.Count;

    private const uint Golden = 0x9E3779B9u; // 2^32 / phi: consecutive counters land far apart before mixing
    private const float TwoPow24Inv = 1f / (1 << 24);

    /// <summary>A fresh 64-bit key from a stream (the caller holds the stream's lock).</summary>
    public static ulong NextKey(Random rng) => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63);

    private static Vector<uint> Mix(Vector<uint> x)
    {
        x ^= Vector.ShiftRightLogical(x, 16);
        x *= new Vector<uint>(0x7feb352du);
        x ^= Vector.ShiftRightLogical(x, 15);
        x *= new Vector<uint>(0x846ca68bu);
        x ^= Vector.ShiftRightLogical(x, 16);
        return x;
    }

    /// <summary>Uniform [0, 1) floats for the counters first, first+1, ... (one lane each).</summary>
    private static Vector<float> Uniform(ulong key, uint first)
    {
        var counter = new Vector<uint>(first) + Vector<uint>.Indices;
        var h = Mix(Mix(counter * new Vector<uint>(Golden) + new Vector<uint>((uint)key)) ^ new Vector<uint>((uint)(key >> 32)));
        return Vector.ConvertToSingle(Vector.AsVectorInt32(Vector.ShiftRightLogical(h, 8))) * new Vector<float>(TwoPow24Inv);
    }

    /// <summary>u[i] = uniform(key, i) in [0, 1).</summary>
    public static void Uniform(Span<float> u, ulong key)
    {
        for (int i = 0; i < u.Length; i += W) Put(Uniform(key, (uint)i), u, i);
    }

    /// <summary>
    /// A dropout mask: mask[i] = <paramref name="keep"/> where uniform(key, i) &gt;= rate (as Keras keeps
    /// <c>random_uniform &gt;= rate</c>), else <paramref name="drop"/>.
    /// </summary>
    public static void BernoulliMask(Span<float> mask, ulong key, float rate, float keep, float drop)
    {
        var r = new Vector<float>(rate);
        var k = new Vector<float>(keep);
        var d = new Vector<float>(drop);
        for (int i = 0; i < mask.Length; i += W)
            Put(Vector.ConditionalSelect(Vector.GreaterThanOrEqual(Uniform(key, (uint)i), r), k, d), mask, i);
    }

    /// <summary>
    /// z[i] = mean + stddev * N(0, 1) by Box-Muller: each block of 2W outputs takes W pairs of uniforms (u1 from the key,
    /// u2 from the key's twin, both at counters i..i+W-1); the first W outputs get r cos(theta), the next W r sin(theta).
    /// </summary>
    public static void Normal(Span<float> z, ulong key, float mean, float stddev)
    {
        var m = new Vector<float>(mean);
        var s = new Vector<float>(stddev);
        var twoPi = new Vector<float>(2 * MathF.PI);
        var eps = new Vector<float>(TwoPow24Inv);
        ulong twin = key ^ 0x5851F42D4C957F2DUL; // any fixed odd constant: an independent second stream of uniforms
        for (int i = 0; i < z.Length; i += 2 * W)
        {
            // u1 in (0, 1]: log(0) would give an infinite radius.
            var r = Vector.SquareRoot(new Vector<float>(-2f) * Vector.Log(Uniform(key, (uint)i) + eps));
            var (sin, cos) = Vector.SinCos(twoPi * Uniform(twin, (uint)i));
            Put(m + s * r * cos, z, i);
            if (i + W < z.Length) Put(m + s * r * sin, z, i + W);
        }
    }

    private static void Put(Vector<float> v, Span<float> s, int i) => VectorMap.Store(v, s, i);
}
