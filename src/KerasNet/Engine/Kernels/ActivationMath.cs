#nullable enable
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KerasNet.Engine.Kernels;

/// <summary>An element-wise function on a SIMD vector (the forward pass of an activation).</summary>
internal interface IVectorOp
{
    static abstract Vector<float> Apply(Vector<float> x);
}

/// <summary>
/// A gradient rule: the new gradient from the incoming gradient <c>g</c>, the activation's output <c>y</c> and its
/// input <c>x</c> (each rule reads only what it needs; the caller passes y for x when the rule ignores x).
/// </summary>
internal interface IVectorGradOp
{
    static abstract Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x);
}

/// <summary>
/// Drives the vector rules over spans. The tail (fewer elements than a vector) is copied into a zero-padded vector and
/// goes through the same arithmetic, so an element's result never depends on where it sits in the buffer.
/// </summary>
internal static class VectorMap
{
    private static int W => Vector<float>.Count;

    /// <summary>y = F(x) element-wise; x and y may be the same span.</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : IVectorOp
    {
        BufferCheck.Count(y.Length, x.Length, nameof(y), nameof(Map));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        for (; i <= n - W; i += W) Vector.StoreUnsafe(TOp.Apply(Vector.LoadUnsafe(ref rx, (nuint)i)), ref ry, (nuint)i);
        if (i == n) return;
        Span<float> t = stackalloc float[W];
        t.Clear();
        x[i..].CopyTo(t);
        TOp.Apply(new Vector<float>(t)).CopyTo(t);
        t[..(n - i)].CopyTo(y[i..]);
    }

    /// <summary>The vector at i of a span, zero-padded past its end (the last, partial vector of a loop).</summary>
    public static Vector<float> Load(ReadOnlySpan<float> s, int i)
    {
        if (i + W <= s.Length) return Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
        Span<float> t = stackalloc float[W];
        t.Clear();
        s[i..].CopyTo(t);
        return new Vector<float>(t);
    }

    /// <summary>Stores a vector at i, only the part that fits in the span.</summary>
    public static void Store(Vector<float> v, Span<float> s, int i)
    {
        if (i + W <= s.Length) { Vector.StoreUnsafe(v, ref MemoryMarshal.GetReference(s), (nuint)i); return; }
        Span<float> t = stackalloc float[W];
        v.CopyTo(t);
        t[..(s.Length - i)].CopyTo(s[i..]);
    }

    /// <summary>g = G(g, y, x) element-wise (y and x at least as long as g).</summary>
    public static void Grad<TOp>(Span<float> g, ReadOnlySpan<float> y, ReadOnlySpan<float> x) where TOp : IVectorGradOp
    {
        BufferCheck.Count(y.Length, g.Length, nameof(y), nameof(Grad));
        BufferCheck.Count(x.Length, g.Length, nameof(x), nameof(Grad));
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int n = g.Length, i = 0;
        for (; i <= n - W; i += W)
            Vector.StoreUnsafe(TOp.Apply(Vector.LoadUnsafe(ref rg, (nuint)i), Vector.LoadUnsafe(ref ry, (nuint)i), Vector.LoadUnsafe(ref rx, (nuint)i)), ref rg, (nuint)i);
        if (i == n) return;
        Span<float> tg = stackalloc float[W], ty = stackalloc float[W], tx = stackalloc float[W];
        tg.Clear(); ty.Clear(); tx.Clear();
        g[i..].CopyTo(tg); y[i..n].CopyTo(ty); x[i..n].CopyTo(tx);
        TOp.Apply(new Vector<float>(tg), new Vector<float>(ty), new Vector<float>(tx)).CopyTo(tg);
        tg[..(n - i)].CopyTo(g[i..]);
    }
}

/// <summary>
/// The activations' formulas on SIMD vectors. Each forward rule follows the arithmetic of TensorFlow's kernel for the
/// same function (exp(x) - 1 for elu, relu6(x + 3) / 6 for Keras 3's hard sigmoid, a multiply then an add for
/// tf.keras 2's), so results agree to float32 rounding; gradients use the output y where TensorFlow does (EluGrad,
/// SeluGrad) and the input x where y cannot give them (gelu, swish, mish, hard swish, softplus).
/// </summary>
internal static class ActivationMath
{
    private static Vector<float> C(float v) => new(v);

    // SELU's constants as TensorFlow's kernel rounds them to float (scale and scale * alpha).
    public const float SeluScale = 1.05070098735548049342f, SeluScaleAlpha = 1.75809934084737685994f;

    /// <summary>Keras 3's leaky_relu default slope.</summary>
    public const float LeakySlope = 0.2f;

    private const float GeluTanhC = 0.7978845608028654f; // sqrt(2 / pi)
    private const float GeluTanhK = 0.044715f;
    private const float InvSqrt2 = 0.70710678118654752f, InvSqrt2Pi = 0.39894228040143268f;

    /// <summary>1 / (1 + exp(-x)); exp overflows to infinity for very negative x, giving 0 as it should.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x) => Vector<float>.One / (Vector<float>.One + Vector.Exp(-x));

    /// <summary>log(1 + e) for e &gt;= 0 to a few ulps: log(u) * e / (u - 1) corrects the rounding of u = 1 + e.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log1p(Vector<float> e)
    {
        var u = Vector<float>.One + e;
        return Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.One), e, Vector.Log(u) * (e / (u - Vector<float>.One)));
    }

    /// <summary>log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), which never overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Softplus(Vector<float> x) => Vector.Max(x, Vector<float>.Zero) + Log1p(Vector.Exp(-Vector.Abs(x)));

    /// <summary>
    /// The standard normal CDF. erfc(|z|) by the Chebyshev fit of Numerical Recipes' erfcc (fractional error below
    /// 1.2e-7 for every z), and Phi(x) = erfc(-x/sqrt2)/2 for x &lt; 0, so the tail keeps its relative precision.
    /// </summary>
    public static Vector<float> NormalCdf(Vector<float> x)
    {
        var z = Vector.Abs(x) * C(InvSqrt2);
        var t = Vector<float>.One / (Vector<float>.One + C(0.5f) * z);
        var p = C(0.17087277f);
        p = C(-0.82215223f) + t * p;
        p = C(1.48851587f) + t * p;
        p = C(-1.13520398f) + t * p;
        p = C(0.27886807f) + t * p;
        p = C(-0.18628806f) + t * p;
        p = C(0.09678418f) + t * p;
        p = C(0.37409196f) + t * p;
        p = C(1.00002368f) + t * p;
        var half = C(0.5f) * t * Vector.Exp(t * p - z * z - C(1.26551223f)); // erfc(z) / 2
        return Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), half, Vector<float>.One - half);
    }

    /// <summary>tanh(softplus(x)) = n / (n + 2) with n = e (e + 2), e = exp(x); exactly 1 in float32 from x = 20 on (where e^2 would overflow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> TanhSoftplus(Vector<float> x)
    {
        var e = Vector.Exp(Vector.Min(x, C(20f)));
        var n = e * (e + C(2f));
        return Vector.ConditionalSelect(Vector.GreaterThan(x, C(20f)), Vector<float>.One, n / (n + C(2f)));
    }

    /// <summary>2 sqrt(2/pi) (x + 0.044715 x^3): twice the tanh argument, since 0.5 (1 + tanh(u)) = sigmoid(2u).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> GeluTanhArg2(Vector<float> x) => C(2f * GeluTanhC) * (x + C(GeluTanhK) * x * x * x);

    // ---- forward rules ----

    public readonly struct Relu6 : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => Vector.Min(Vector.Max(x, Vector<float>.Zero), C(6f));
    }

    /// <summary>tf.keras 2's K.hard_sigmoid: x * 0.2 + 0.5 clipped to [0, 1] (two roundings, as TensorFlow).</summary>
    public readonly struct HardSigmoid : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => Vector.Min(Vector.Max(x * C(0.2f) + C(0.5f), Vector<float>.Zero), Vector<float>.One);
    }

    /// <summary>Keras 3's hard_sigmoid: relu6(x + 3) / 6.</summary>
    public readonly struct HardSigmoidKeras3 : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => Relu6.Apply(x + C(3f)) / C(6f);
    }

    public readonly struct Elu : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, Vector.Exp(x) - Vector<float>.One);
    }

    public readonly struct Selu : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), C(SeluScale) * x, C(SeluScaleAlpha) * (Vector.Exp(x) - Vector<float>.One));
    }

    public readonly struct SoftplusOp : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => Softplus(x);
    }

    public readonly struct Softsign : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => x / (Vector<float>.One + Vector.Abs(x));
    }

    public readonly struct Swish : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => x / (Vector<float>.One + Vector.Exp(-x));
    }

    public readonly struct Gelu : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => x * NormalCdf(x);
    }

    public readonly struct GeluTanh : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => x * Sigmoid(GeluTanhArg2(x));
    }

    public readonly struct Exponential : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => Vector.Exp(x);
    }

    public readonly struct Mish : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => x * TanhSoftplus(x);
    }

    public readonly struct HardSwish : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => x * Relu6.Apply(x + C(3f)) / C(6f);
    }

    public readonly struct LeakyRelu : IVectorOp
    {
        public static Vector<float> Apply(Vector<float> x) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, C(LeakySlope) * x);
    }

    // ---- gradient rules through the output y ----

    public readonly struct SigmoidGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) => g * y * (Vector<float>.One - y);
    }

    public readonly struct TanhGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) => g * (Vector<float>.One - y * y);
    }

    /// <summary>Passes g where lo &lt; y &lt; hi, times a slope (relu6 and the hard sigmoids).</summary>
    private static Vector<float> Window(Vector<float> g, Vector<float> y, float hi) =>
        Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero) & Vector.LessThan(y, C(hi)), g, Vector<float>.Zero);

    public readonly struct Relu6Grad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) => Window(g, y, 6f);
    }

    public readonly struct HardSigmoidGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) => Window(g * C(0.2f), y, 1f);
    }

    public readonly struct HardSigmoidKeras3Grad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) => Window(g / C(6f), y, 1f);
    }

    /// <summary>TensorFlow's EluGrad: g (y + 1) where y &lt; 0.</summary>
    public readonly struct EluGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) =>
            Vector.ConditionalSelect(Vector.LessThan(y, Vector<float>.Zero), g * (y + Vector<float>.One), g);
    }

    /// <summary>TensorFlow's SeluGrad: g (y + scale alpha) where y &lt; 0, g scale elsewhere.</summary>
    public readonly struct SeluGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) =>
            Vector.ConditionalSelect(Vector.LessThan(y, Vector<float>.Zero), g * (y + C(SeluScaleAlpha)), g * C(SeluScale));
    }

    /// <summary>1 / (1 + |x|)^2 = (1 - |y|)^2.</summary>
    public readonly struct SoftsignGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x)
        {
            var d = Vector<float>.One - Vector.Abs(y);
            return g * d * d;
        }
    }

    public readonly struct ExponentialGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) => g * y;
    }

    public readonly struct LeakyReluGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), g, g * C(LeakySlope));
    }

    // ---- gradient rules through the input x ----

    public readonly struct SoftplusGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) => g * Sigmoid(x);
    }

    /// <summary>s (1 + x (1 - s)) with s = sigmoid(x).</summary>
    public readonly struct SwishGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x)
        {
            var s = Sigmoid(x);
            return g * s * (Vector<float>.One + x * (Vector<float>.One - s));
        }
    }

    /// <summary>Phi(x) + x phi(x).</summary>
    public readonly struct GeluGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x) =>
            g * (NormalCdf(x) + x * C(InvSqrt2Pi) * Vector.Exp(C(-0.5f) * x * x));
    }

    /// <summary>With s = sigmoid(2u): s + 2 x s (1 - s) u'(x), u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2).</summary>
    public readonly struct GeluTanhGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x)
        {
            var s = Sigmoid(GeluTanhArg2(x));
            var du2 = C(2f * GeluTanhC) * (Vector<float>.One + C(3f * GeluTanhK) * x * x);
            return g * (s + x * s * (Vector<float>.One - s) * du2);
        }
    }

    /// <summary>t + x (1 - t^2) sigmoid(x) with t = tanh(softplus(x)).</summary>
    public readonly struct MishGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x)
        {
            var t = TanhSoftplus(x);
            return g * (t + x * (Vector<float>.One - t * t) * Sigmoid(x));
        }
    }

    /// <summary>0 below -3, 1 above 3, x / 3 + 1/2 between (PyTorch's hardswish_backward).</summary>
    public readonly struct HardSwishGrad : IVectorGradOp
    {
        public static Vector<float> Apply(Vector<float> g, Vector<float> y, Vector<float> x)
        {
            var mid = g * (x / C(3f) + C(0.5f));
            return Vector.ConditionalSelect(Vector.LessThan(x, C(-3f)), Vector<float>.Zero,
                Vector.ConditionalSelect(Vector.GreaterThan(x, C(3f)), g, mid));
        }
    }
}
