#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// One of TensorFlow's scale_and_translate sampling kernels (sampling_kernels.h): its radius and its value at a
/// distance, in the float32 arithmetic TensorFlow evaluates it in. A struct, so the span driver
/// (<see cref="TfScaleAndTranslate"/>) is specialised per kernel without virtual calls.
/// </summary>
internal interface ITfSamplingKernel
{
    /// <summary>The kernel's support radius (antialias off: never widened).</summary>
    float Radius { get; }

    /// <summary>The kernel's value at <paramref name="x"/> (sign ignored).</summary>
    float Value(float x);
}

/// <summary>LanczosKernelFunc: <c>r sin(pi x) sin(pi x / r) / (pi^2 x^2)</c> for |x| &lt;= r, 1 near 0.</summary>
internal readonly struct TfLanczosKernel(float radius) : ITfSamplingKernel
{
    private const float Pi = 3.14159265359f; // TensorFlow's kPI, a float constant

    public float Radius => radius;

    public float Value(float x)
    {
        x = MathF.Abs(x);
        if (x > radius) return 0f;
        if (x <= 1e-3) return 1f; // C++ compares the float against the double 1e-3
        float px = Pi * x;
        return radius * Sin(px) * Sin(px / radius) / (Pi * Pi * x * x);
    }

    // std::sin on a float is libm's sinf, which is (within rounding ties) the correctly rounded sine: the double
    // sine rounded to float gives that on every platform, where MathF.Sin follows each C runtime's own sinf.
    private static float Sin(float v) => (float)Math.Sin(v);
}

/// <summary>GaussianKernelFunc with radius 1.5 and sigma = radius / 3: <c>exp(-x^2 / (2 sigma^2))</c> for |x| &lt; 1.5.</summary>
internal readonly struct TfGaussianKernel : ITfSamplingKernel
{
    private const float R = 1.5f, Sigma = R / 3.0f; // CreateGaussianKernel's radius, kRadiusMultiplier = 3

    public float Radius => R;

    // -x * x is a float; 2.0 * sigma * sigma is a double, so the quotient and exp are doubles, rounded on return.
    public float Value(float x)
    {
        x = MathF.Abs(x);
        return x >= R ? 0f : (float)Math.Exp((double)(-x * x) / (2.0 * Sigma * Sigma));
    }
}

/// <summary>MitchellCubicKernelFunc (Mitchell-Netravali, B = C = 1/3), radius 2, its float32 polynomials.</summary>
internal readonly struct TfMitchellCubicKernel : ITfSamplingKernel
{
    public float Radius => 2f;

    public float Value(float x)
    {
        x = MathF.Abs(x);
        if (x >= 2.0f) return 0f;
        if (x >= 1.0f) return (((-7.0f / 18.0f) * x + 2.0f) * x - 10.0f / 3.0f) * x + 16.0f / 9.0f;
        return (((7.0f / 6.0f) * x - 2.0f) * x) * x + 8.0f / 9.0f;
    }
}
