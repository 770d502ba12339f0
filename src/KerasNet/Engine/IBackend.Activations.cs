#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// Keras's general rectifier, <c>relu(x, negative_slope, max_value, threshold)</c>: the positive part is
/// <c>x * (x &gt; threshold)</c> (plain <c>max(x, 0)</c> when the threshold is 0), clipped to [0, max_value] when a
/// max value is given, minus <c>negative_slope * max(threshold - x, 0)</c>. LeakyReLU is a slope alone,
/// ThresholdedReLU a threshold alone.
/// </summary>
/// <param name="NegativeSlope">Slope below the threshold (Keras's <c>negative_slope</c>, LeakyReLU's <c>alpha</c>).</param>
/// <param name="MaxValue">The saturation value, or null for none.</param>
/// <param name="Threshold">Where the positive part starts.</param>
internal readonly record struct ReluOptions(float NegativeSlope = 0f, float? MaxValue = null, float Threshold = 0f)
{
    /// <summary>Whether this is max(x, 0).</summary>
    public bool IsPlainRelu => NegativeSlope == 0f && MaxValue is null && Threshold == 0f;
}

internal partial interface IBackend
{
    /// <summary>y = f(x) (y may be x) on the first <paramref name="length"/> elements, in rows of <paramref name="cols"/> (softmax and log-softmax are per row).</summary>
    void Activation(float[] x, float[] y, int length, int cols, ActivationKind activation);

    /// <summary>
    /// grad = grad ⊙ f'(.) given the activation's output y and its pre-activation input x. x is read only by the
    /// activations whose derivative the output cannot give (gelu, swish, mish, hard swish, softplus) and may be null otherwise.
    /// </summary>
    void ActivationBackward(float[] grad, float[] y, float[]? x, int length, int cols, ActivationKind activation);

    /// <summary>Keras's general ReLU (see <see cref="ReluOptions"/>); y may be x.</summary>
    void Relu(float[] x, float[] y, int length, in ReluOptions options);

    /// <summary>The general ReLU's input gradient from its input x; gradIn may be gradOut.</summary>
    void ReluBackward(float[] x, float[] gradOut, float[] gradIn, int length, in ReluOptions options);

    /// <summary>ELU with any alpha: x for x &gt; 0, alpha (exp(x) - 1) otherwise; y may be x.</summary>
    void Elu(float[] x, float[] y, int length, float alpha);

    /// <summary>ELU's input gradient from its input x; gradIn may be gradOut.</summary>
    void EluBackward(float[] x, float[] gradOut, float[] gradIn, int length, float alpha);

    /// <summary>PReLU on [rows, cols]: relu(x) - alpha relu(-x), alpha[cols] one per element of a sample.</summary>
    void PRelu(float[] x, float[] alpha, float[] y, int rows, int cols);

    /// <summary>PReLU's input gradient (when gradIn is not null) and alpha gradient summed over rows (when gradAlpha is not null, overwritten).</summary>
    void PReluBackward(float[] x, float[] alpha, float[] gradOut, float[]? gradIn, float[]? gradAlpha, int rows, int cols);

    /// <summary>Softmax along the middle axis of an [outer, axis, inner] block; y may be x.</summary>
    void Softmax(float[] x, float[] y, int outer, int axis, int inner);

    /// <summary>Softmax's input gradient from its output y, along the middle axis of [outer, axis, inner]; gradIn may be gradOut.</summary>
    void SoftmaxBackward(float[] y, float[] gradOut, float[] gradIn, int outer, int axis, int inner);
}
