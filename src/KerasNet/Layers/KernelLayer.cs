#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// What Dense and Conv2D share: a kernel and optional bias with their initializers, regularizers and constraints, an
/// activity regularizer on the output, and an output activation the model may fuse with the loss.
/// </summary>
public abstract partial class KernelLayer : Layer, IActivatedLayer
{
    /// <summary>Stores the shared Keras arguments; null initializers are Keras's defaults (glorot_uniform, zeros).</summary>
    private protected KernelLayer(string? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
        Shape? inputShape, string? name, bool trainable, WeightOptions options)
        : base(name, inputShape, trainable)
    {
        UseBias = useBias;
        Stage = new ActivationStage(Activations.Parse(activation));
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Zeros();
        (KernelRegularizer, BiasRegularizer, ActivityRegularizer, KernelConstraint, BiasConstraint) = options;
    }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>The activation.</summary>
    public ActivationKind Activation => Stage.Kind;

    /// <summary>
    /// Whether the activation treats samples alike (<see cref="Activations.SamplesAlike"/>) and no activity penalty (a
    /// mean over the batch) reads the output: what stacking inference batches needs of the layer.
    /// </summary>
    private protected bool HasExactActivation =>
        Activations.SamplesAlike(Activation) && ActivityRegularizer is null or { IsZero: true };

    /// <summary>Initializer of the kernel.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>Initializer of the bias.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>
    /// The kernel in Keras layout, after <see cref="Layer.Build(int[])"/>. Setting it hands it the kernel regularizer
    /// and constraint.
    /// </summary>
    public Variable? Kernel
    {
        get => _kernel;
        private protected set { _kernel = value; AttachPenalties(); }
    }

    /// <summary>
    /// The bias (one per output channel), after <see cref="Layer.Build(int[])"/> when <see cref="UseBias"/>. Setting
    /// it hands it the bias regularizer and constraint.
    /// </summary>
    public Variable? Bias
    {
        get => _bias;
        private protected set { _bias = value; AttachPenalties(); }
    }

    private Variable? _kernel, _bias;

    internal ActivationStage Stage { get; }
    ActivationStage IActivatedLayer.Stage => Stage;

    /// <summary>
    /// Creates the kernel of the given Keras-layout shape (named <paramref name="kernelName"/>, Keras's weight name) and a
    /// bias of <paramref name="biasSize"/> values (the kernel's last dimension when 0).
    /// </summary>
    private protected void AddKernelAndBias(int[] kernelShape, string kernelName = "kernel", int biasSize = 0)
    {
        Kernel = AddWeight(kernelName, kernelShape, KernelInitializer);
        if (UseBias) Bias = AddWeight("bias", [biasSize > 0 ? biasSize : kernelShape[^1]], BiasInitializer);
    }

    /// <summary>The bias gradient: column sums of the output gradient.</summary>
    private protected static void ColumnSums(IBackend be, GradientSink sink, Variable bias, float[] gradOut, int rows)
    {
        be.ColumnSums(gradOut, rows, bias.Size, sink.GradientFor(bias));
        sink.Commit(bias);
    }

    /// <summary>Appends activation, use_bias, initializers, regularizers and constraints in tf.keras 2.4's order.</summary>
    private protected void AddActivationAndWeightConfig(JsonObject c)
    {
        c["activation"] = Activations.Name(Activation);
        c["use_bias"] = UseBias;
        LayerConfig.AddInitializersAndRegularizers(c, this, activityRegularizer: true);
    }
}
