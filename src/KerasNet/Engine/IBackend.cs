#nullable enable
namespace KerasNet.Engine;

/// <summary>Element-wise activation functions the engine can fuse into layer outputs.</summary>
public enum ActivationKind
{
    /// <summary>Identity.</summary>
    Linear,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>1 / (1 + exp(-x)).</summary>
    Sigmoid,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Softmax over the last axis.</summary>
    Softmax,
    /// <summary>min(max(x, 0), 6).</summary>
    Relu6,
    /// <summary>tf.keras 2.x's hard sigmoid: max(0, min(1, 0.2 x + 0.5)) (Keras 1 and 2, tfjs).</summary>
    HardSigmoid,
    /// <summary>Keras 3's hard sigmoid: relu6(x + 3) / 6 (PyTorch's hardsigmoid).</summary>
    HardSigmoidKeras3,
    /// <summary>log(softmax(x)) over the last axis.</summary>
    LogSoftmax,
    /// <summary>x for x &gt; 0, exp(x) - 1 otherwise (alpha 1).</summary>
    Elu,
    /// <summary>scale * elu(x, alpha) with Klambauer et al.'s constants.</summary>
    Selu,
    /// <summary>log(1 + exp(x)).</summary>
    Softplus,
    /// <summary>x / (1 + |x|).</summary>
    Softsign,
    /// <summary>x * sigmoid(x) (Keras 3's silu).</summary>
    Swish,
    /// <summary>x * Phi(x) with the exact normal CDF (erf form, approximate=False).</summary>
    Gelu,
    /// <summary>GELU's tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (approximate=True).</summary>
    GeluTanh,
    /// <summary>exp(x).</summary>
    Exponential,
    /// <summary>x * tanh(softplus(x)).</summary>
    Mish,
    /// <summary>x * relu6(x + 3) / 6 (Keras 3's hard_silu).</summary>
    HardSwish,
    /// <summary>Keras 3's leaky_relu activation: x for x &gt; 0, 0.2 x otherwise.</summary>
    LeakyRelu,
}

/// <summary>
/// The one seam between KerasNet's layers and the arithmetic. Everything above it (layers, models, optimizers)
/// speaks only in these operations on row-major float spans, so another backend (native BLAS, GPU) can be added
/// by implementing this interface and assigning <see cref="Backend.Current"/>.
/// </summary>
internal partial interface IBackend
{
    /// <summary>Name shown in diagnostics.</summary>
    string Name { get; }

    /// <summary>
    /// C[m,n] = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], all row-major with leading dimensions lda, ldb, ldc. Arrays (not spans) so kernels can hand them to worker threads.
    /// op(X) is X, or X transposed when the flag is set (then X is stored k x m, or n x k).
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate);

    /// <summary>Adds a bias vector to every row of a [rows, bias.Length] matrix and applies an element-wise activation.</summary>
    void BiasActivation(float[] x, int rows, float[] bias, ActivationKind activation);

    /// <summary>Applies an activation in place to the first <paramref name="length"/> elements, in rows of <paramref name="cols"/> (softmax is per row).</summary>
    void Activation(float[] x, int length, int cols, ActivationKind activation);

    /// <summary>
    /// Back-propagates through an activation: grad = grad ⊙ f'(.) expressed through the activation's output y.
    /// </summary>
    void ActivationBackward(float[] grad, float[] y, int length, int cols, ActivationKind activation);

    /// <summary>
    /// Whether <see cref="DenseBackwardFused"/> is worth using for a batch of <paramref name="rows"/> (it pays off
    /// when the batch is small and the step is bound by reading the kernel).
    /// </summary>
    bool PrefersFusedDenseBackward(int rows);

    /// <summary>
    /// Dense backward fused with the optimizer: dx[rows, inDim] = dy w^T (with the weights before the update; skipped
    /// when dx is null), and each kernel row's gradient x^T dy handed to <paramref name="update"/> as soon as it is
    /// formed, so the kernel gradient is never stored. w is (inDim, units).
    /// </summary>
    void DenseBackwardFused(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate update);

    /// <summary>Sums a [rows, cols] matrix over its rows into <paramref name="result"/> (length cols).</summary>
    void ColumnSums(float[] x, int rows, int cols, float[] result);

    /// <summary>NHWC conv2d: y[N,OH,OW,F] = x ⋆ w, w stored (KH, KW, C, F) as Keras does.</summary>
    void Conv2DForward(in ConvGeometry g, float[] x, float[] w, int filters, float[] y);

    /// <summary>
    /// NHWC conv2d with the bias (may be null) and activation fused into the output pass. The backend may cache in
    /// <paramref name="workspace"/> what the same layer's <see cref="Conv2DBackwardFilter(in ConvGeometry, float[], float[], int, float[], ConvWorkspace?)"/> needs.
    /// </summary>
    void Conv2DForward(in ConvGeometry g, float[] x, float[] w, float[]? bias, ActivationKind activation, int filters, float[] y, ConvWorkspace? workspace);

    /// <summary>Kernel gradient dW[KH,KW,C,F] (overwritten) from input x and output gradient dy.</summary>
    void Conv2DBackwardFilter(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw);

    /// <summary>Kernel gradient, reusing what the forward pass on the same x left in <paramref name="workspace"/>.</summary>
    void Conv2DBackwardFilter(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw, ConvWorkspace? workspace);

    /// <summary>Dense forward y[rows, units] = act(x w + bias) (bias may be null), w stored (inDim, units).</summary>
    void DenseForward(int rows, int inDim, int units, float[] x, float[] w, float[]? bias, ActivationKind activation, float[] y);

    /// <summary>Input gradient dx[N,H,W,C] (overwritten) from output gradient dy and kernel w.</summary>
    void Conv2DBackwardInput(in ConvGeometry g, float[] dy, float[] w, int filters, float[] dx);

    /// <summary>Max pooling; <paramref name="argmax"/> (length of y, may be empty at inference) records each winner's input index.</summary>
    void MaxPoolForward(in ConvGeometry g, float[] x, float[] y, int[] argmax);

    /// <summary>Routes each output gradient to the input that won the max (dx overwritten).</summary>
    void MaxPoolBackward(in ConvGeometry g, float[] dy, int[] argmax, float[] dx);

    /// <summary>Average pooling; 'same' windows average only the pixels inside the image, as TensorFlow does.</summary>
    void AvgPoolForward(in ConvGeometry g, float[] x, float[] y);

    /// <summary>Gradient of average pooling (dx overwritten).</summary>
    void AvgPoolBackward(in ConvGeometry g, float[] dy, float[] dx);
}

/// <summary>Selects the engine used by all layers: <see cref="KerasContext.Backend"/> of <see cref="KerasContext.Current"/>.</summary>
internal static class Backend
{
    /// <summary>
    /// The current context's backend (the managed SIMD CPU engine unless replaced); setting it replaces the backend of
    /// <see cref="KerasContext.Current"/> only.
    /// </summary>
    public static IBackend Current
    {
        get => KerasContext.Current.Backend;
        set => KerasContext.Current.Backend = value;
    }
}
